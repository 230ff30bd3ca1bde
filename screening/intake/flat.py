"""Read an intake given as dotted text fields: a CSV row or an HTML form post.

CSV columns and form fields are the contract's dotted names
(`heel_raise.left`); every value is text. `unflatten` turns them into the
nested, typed payload the JSON API takes, reporting text that is not of the
field's kind by field path; the strict schema then validates the payload as
usual, so a CSV row, a form and a JSON body obey exactly the same rules.

Text conventions: an empty cell means "not given" (for `heel_raise.*`, "not
tested", as do `null` and `not tested`); `training.weekly_distance` is
`;`-separated numbers (or, from a form, one value per week); booleans are
true/false, yes/no, 1/0 or on/off.
"""

import re
from collections.abc import Iterator

from marshmallow import Schema, fields

from screening.errors import IntakeError
from screening.intake.fields import StrictBoolean, StrictNumber
from screening.intake.schema import IntakeSchema

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# The words read as a boolean (a ticked form checkbox posts "on"); everything else is an error.
TRUE_WORDS = frozenset(("true", "yes", "y", "1", "on"))
FALSE_WORDS = frozenset(("false", "no", "n", "0", "off"))
_NOT_TESTED = {"", "null", "not tested", "not_tested", "nt"}
NULLABLE_WHEN_EMPTY = {"heel_raise.left", "heel_raise.right"}


def _kind(field) -> str:
    if isinstance(field, fields.List):
        return "numbers"
    if isinstance(field, StrictBoolean):
        return "boolean"
    if isinstance(field, StrictNumber):
        return "number"
    return "text"


def sections(schema: Schema) -> Iterator[tuple[str, fields.Nested]]:
    """Each section of the intake (`runner`, `training`, ...) and its nested field."""
    for section, field in schema.fields.items():
        if isinstance(field, fields.Nested):
            yield section, field


def field_kinds(schema: Schema | None = None) -> dict[str, str]:
    """Every intake field by its dotted name (a top-level one, `screened_at`, by its own) and the kind of text
    it takes, in contract order."""
    schema = schema or IntakeSchema()
    kinds = {}
    for name, field in schema.fields.items():
        if isinstance(field, fields.Nested):
            for inner, each in field.schema.fields.items():
                kinds[f"{name}.{inner}"] = _kind(each)
        elif isinstance(field, (fields.List, fields.Dict)):
            raise TypeError(f"intake field {name!r}: a top-level field must be a scalar or a section")
        else:
            kinds[name] = _kind(field)
    return kinds


def required_by_section(schema: Schema | None = None) -> dict[str, list[str]]:
    """The dotted fields each section requires, whether or not the section itself is required."""
    schema = schema or IntakeSchema()
    return {
        section: [f"{section}.{name}" for name, field in nested.schema.fields.items() if field.required]
        for section, nested in sections(schema)
    }


FIELD_KINDS = field_kinds()
REQUIRED_BY_SECTION = required_by_section()
# The fields every intake must have: the required fields of the required sections (CSV columns, form inputs).
REQUIRED_FIELDS = tuple(
    path for section, nested in sections(IntakeSchema()) if nested.required for path in REQUIRED_BY_SECTION[section]
)


def _number(text: str):
    if not _NUMBER.match(text):
        raise ValueError(f"Expected a number, got {text!r}.")
    value = float(text)
    return int(value) if value.is_integer() and re.match(r"^[+-]?\d+$", text) else value


def _parse(path: str, kind: str, raw, errors: dict):
    if kind == "numbers":
        items = raw if isinstance(raw, list) else raw.split(";")
        items = [item.strip() for item in items]
        if isinstance(raw, list):
            items = [item for item in items if item]
        values = []
        for index, item in enumerate(items):
            try:
                values.append(_number(item))
            except ValueError as error:
                errors.setdefault(f"{path}.{index}", []).append(str(error))
        return values
    text = raw.strip()
    if kind == "number":
        try:
            return _number(text)
        except ValueError as error:
            errors.setdefault(path, []).append(str(error))
    elif kind == "boolean":
        if text.lower() in TRUE_WORDS:
            return True
        if text.lower() in FALSE_WORDS:
            return False
        errors.setdefault(path, []).append(f"Expected true or false (yes/no, 1/0), got {text!r}.")
    else:
        return text
    return None


def _put(payload: dict, path: str, value) -> None:
    """Set a dotted field (`heel_raise.left`) or a top-level one (`screened_at`) of the payload."""
    section, _, name = path.rpartition(".")
    (payload.setdefault(section, {}) if section else payload)[name] = value


def unflatten(flat: dict) -> tuple[dict, dict[str, list[str]]]:
    """Return (payload, errors): the nested typed intake and the text errors by path."""
    payload: dict = {}
    errors: dict[str, list[str]] = {}
    for path, raw in flat.items():
        kind = FIELD_KINDS.get(path)
        if kind is None:
            errors.setdefault(path, []).append("Unknown field: not part of the v1 intake.")
            continue
        if isinstance(raw, list) and kind != "numbers":
            raw = raw[-1] if raw else ""
        if raw is None:
            raw = ""
        blank = (raw if isinstance(raw, str) else "".join(raw)).strip()
        if path in NULLABLE_WHEN_EMPTY and blank.lower() in _NOT_TESTED:
            _put(payload, path, None)
            continue
        if not blank:
            continue
        before = len(errors)
        value = _parse(path, kind, raw, errors)
        if len(errors) == before:
            _put(payload, path, value)
    return payload, errors


def validate_flat(screener, flat: dict) -> dict:
    """Validate dotted text fields with the intake schema; raise IntakeError with every error.

    A field whose text could not be read is reported once, as text of the wrong
    kind, not again as missing.
    """
    payload, text_errors = unflatten(flat)
    try:
        intake = screener.validate(payload)
    except IntakeError as error:
        merged = dict(text_errors)
        for path, messages in error.errors.items():
            if not any(path == bad or bad.startswith(path + ".") for bad in text_errors):
                merged[path] = messages
        raise IntakeError(merged) from None
    if text_errors:
        raise IntakeError(text_errors)
    return intake

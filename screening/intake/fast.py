"""Accept a valid JSON intake in a few microseconds; anything else goes to marshmallow.

marshmallow is the intake's one definition and its only judge of what is
wrong: every error a client sees comes from it. Running it cost half as
much server CPU as all of Flask's own request handling, so this module
compiles the same schema, at start-up, into msgspec types that parse and
check a JSON body in one pass in C. It is trusted only to *accept*:

- a body it accepts gives exactly the intake marshmallow would load (same
  values, same types, defaults filled in), which tests/screening/intake/test_fast_intake.py
  checks on generated valid and broken intakes;
- a body it has any doubt about (a whole number written 7.0, a value out of
  range, a distance past the limit, anything malformed, a key given twice or
  any backslash escape) gets `None`, and the caller loads it with marshmallow
  as before, errors and all.

msgspec keeps the last of two equal keys in one object, as json.loads does,
so `"calf_swelling": true, "calf_swelling": false` would lose a red flag. No
two fields of the schema share a name (tests/screening/intake/test_fast_intake.py holds it), so
a key named twice anywhere in a body is a repeated key, and goes to the slow
path, which refuses it by name (api/body.py). Escapes are sent there too: a
key spelt `calf\u005fswelling` would not look like a repeat here.

The compiler knows a closed set of parts: this project's strict fields,
String, List, Nested, the Range, Length and OneOf validators, constant or
callable defaults, and `validates_schema` hooks. Validators it cannot express
as msgspec constraints (FullMatch) and schema hooks run on the accepted data
afterwards, as marshmallow would run them. Anything else (another field type,
a pre/post-load hook, a data_key, an optional field without a default) makes
it refuse the whole schema with `Untranslatable`, so a change to the schema
can slow screening down but never let an intake past unchecked.
"""

import re
from collections.abc import Callable
from types import GenericAlias
from typing import Annotated, Any, Literal, Optional, Union

import msgspec
from marshmallow import RAISE, Schema, ValidationError, fields, missing, validate
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA

from screening.intake.fields import StrictBoolean, StrictNumber, WholeNumber

# msgspec never gives a bool for int, an int for bool, or a float for int; and its JSON floats are
# finite (it refuses NaN, Infinity and 1e999), as StrictNumber requires.
_BASES = {WholeNumber: (int,), StrictNumber: (int, float), StrictBoolean: (bool,), fields.String: (str,)}
_CONSTANT_DEFAULTS = (type(None), bool, int, float, str)
_REFUSED_HOOKS = (PRE_LOAD, POST_LOAD, VALIDATES)


# A JSON object key: its text and the colon after it (escapes are refused before this is used).
_KEY = re.compile(rb'"([^"]*)"\s*:')


class Untranslatable(ValueError):
    """The schema uses a part the compiler does not know; the fast path is off for it."""


Check = Callable[[dict], None]  # raises ValidationError if the section it is given fails


class FastIntake:
    """A schema compiled to msgspec: `accept(body)` returns the loaded intake, or None for marshmallow to judge."""

    def __init__(self, schema: Schema):
        checks: list[tuple[tuple[str, ...], Check]] = []
        self._decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(_struct(schema, (), checks))
        self._checks = tuple(checks)

    def accept(self, body: bytes) -> dict | None:
        if b"\\" in body:
            return None
        keys = _KEY.findall(body)
        if len(set(keys)) != len(keys):
            return None
        try:
            data = msgspec.to_builtins(self._decoder.decode(body))
        except (msgspec.MsgspecError, ValueError):  # msgspec raises UnicodeDecodeError for bad UTF-8 in a key
            return None
        try:
            for path, check in self._checks:
                section = data
                for key in path:
                    section = section[key]
                check(section)
        except ValidationError:
            return None
        return data


def _struct(schema: Schema, path: tuple[str, ...], checks: list) -> type:
    name = type(schema).__name__
    if schema.unknown != RAISE or schema.many or schema.partial or schema.only or schema.exclude:
        raise Untranslatable(f"{name}: only a plain schema that rejects unknown fields")
    for tag in _REFUSED_HOOKS:
        if schema._hooks[tag]:
            raise Untranslatable(f"{name} has a {tag} hook")
    members = []
    for field_name, field in schema.fields.items():
        where = ".".join((*path, field_name))
        members.append((field_name, _annotation(field, (*path, field_name), checks), *_default(field, where)))
    for attr_name, hook_many, options in schema._hooks[VALIDATES_SCHEMA]:
        if hook_many:
            raise Untranslatable(f"{name}.{attr_name} validates a collection")
        checks.append((path, _schema_check(getattr(schema, attr_name), options.get("pass_original", False))))
    return msgspec.defstruct(name, members, kw_only=True, forbid_unknown_fields=True)


def _schema_check(hook, pass_original: bool) -> Check:
    # Called as marshmallow calls it; the accepted section is both the loaded and the original data.
    if pass_original:
        return lambda section: hook(section, section, partial=None, many=False, unknown=RAISE)
    return lambda section: hook(section, partial=None, many=False, unknown=RAISE)


def _default(field: fields.Field, where: str) -> tuple:
    if field.required:
        return ()
    default = field.load_default
    if default is missing:
        raise Untranslatable(f"{where}: optional with no default (marshmallow leaves it out)")
    if callable(default):
        return (msgspec.field(default_factory=default),)
    if type(default) not in _CONSTANT_DEFAULTS:
        raise Untranslatable(f"{where}: default {default!r} is not a constant")
    return (default,)


def _annotation(field: fields.Field, path: tuple[str, ...], checks: list) -> Any:
    where = ".".join(path)
    if field.data_key is not None or field.attribute is not None or field.dump_only:
        raise Untranslatable(f"{where}: data_key, attribute and dump_only are not supported")
    if field.pre_load or field.post_load:
        raise Untranslatable(f"{where}: field pre_load/post_load functions are not supported")
    if type(field) is fields.Nested:
        annotation = _nested(field, path, checks)
    elif type(field) is fields.List:
        annotation = _list(field, where)
    else:
        annotation, residual = _scalar(field, where)
        for validator in residual:
            checks.append((path[:-1], _field_check(path[-1], validator)))
    # Built at run time for msgspec, so the typing forms, not `X | None`.
    return Optional[annotation] if field.allow_none else annotation  # noqa: UP045


def _field_check(name: str, validator) -> Check:
    def check(section: dict) -> None:
        if section[name] is not None:
            validator(section[name])

    return check


def _nested(field: fields.Nested, path: tuple[str, ...], checks: list) -> type:
    where = ".".join(path)
    if field.many or field.only or field.exclude or field.unknown is not None or field.validators:
        raise Untranslatable(f"{where}: Nested with many/only/exclude/unknown/validate is not supported")
    inner: list = []
    struct = _struct(field.schema, path, inner)
    if inner and not field.required:
        # marshmallow checks a section only when it was sent, not its default; the decoded data cannot tell.
        raise Untranslatable(f"{where}: an optional section with its own checks")
    checks.extend(inner)
    return struct


def _list(field: fields.List, where: str) -> Any:
    annotation, residual = _scalar(field.inner, where + "[]")
    if residual or field.inner.allow_none or field.inner.pre_load or field.inner.post_load:
        raise Untranslatable(f"{where}: list items need plain, non-null, expressible items")
    constraints: dict[str, Any] = {}
    for validator in field.validators:
        if type(validator) is not validate.Length:
            raise Untranslatable(f"{where}: list validator {validator!r} is not supported")
        low = validator.equal if validator.equal is not None else validator.min
        high = validator.equal if validator.equal is not None else validator.max
        if low is not None:
            constraints["min_length"] = low
        if high is not None:
            constraints["max_length"] = high
    items = GenericAlias(list, (annotation,))  # list[annotation], for a type known only at run time
    return Annotated[items, msgspec.Meta(**constraints)] if constraints else items


def _scalar(field: fields.Field, where: str) -> tuple[Any, list]:
    """The msgspec type of a scalar field, and the validators to run on the accepted value."""
    bases = _BASES.get(type(field))
    if bases is None:
        raise Untranslatable(f"{where}: field type {type(field).__name__} is not supported")
    constraints: dict = {}
    choices = None
    residual = []
    for validator in field.validators:
        if type(validator) is validate.Range and bool not in bases and str not in bases:
            _range(validator, constraints, where)
        elif (
            type(validator) is validate.OneOf
            and bases == (str,)
            and choices is None
            and all(type(choice) is str for choice in validator.choices)
        ):
            choices = tuple(validator.choices)
        else:
            residual.append(validator)
    if choices is not None:
        if constraints:
            raise Untranslatable(f"{where}: choices with constraints")
        return Literal[choices], residual
    arms = [Annotated[base, msgspec.Meta(**constraints)] if constraints else base for base in bases]
    return (arms[0] if len(arms) == 1 else Union[tuple(arms)]), residual  # noqa: UP007 (a run-time tuple)


def _range(validator: validate.Range, constraints: dict, where: str) -> None:
    if constraints:
        raise Untranslatable(f"{where}: more than one Range")
    if validator.min is not None:
        constraints["ge" if validator.min_inclusive else "gt"] = validator.min
    if validator.max is not None:
        constraints["le" if validator.max_inclusive else "lt"] = validator.max

"""Walk the intake schema once into item specs: what the Questionnaire shows and the response reader expects.

Generic over marshmallow: a Nested field is a group, a List a repeating item of
its inner field's type, and every leaf's type, bounds and choices come from its
field class and validators (`Range`, `OneOf`, `Length`, `Regexp`) or from
`metadata={"choices": [label0, label1, ...]}`, whose answers are the indexes
0, 1, ... A field the walk cannot translate raises `UnaskableField`, so a new
kind of field is noticed when the service starts, not guessed at.
"""

from dataclasses import dataclass, field, replace
from typing import Any

from marshmallow import Schema, fields, missing, validate

from screening.intake.fields import StrictBoolean, StrictNumber, WholeNumber
from screening.intake.schema import IntakeSchema


class UnaskableField(Exception):
    """The intake schema has a field the FHIR mapping does not know how to ask for."""


@dataclass(frozen=True)
class AnswerOption:
    """One answer a choice item offers (FHIR `answerOption`)."""

    code: str  # the answer's Coding.code
    value: Any  # what the intake holds for it
    display: str


@dataclass(frozen=True)
class ItemSpec:
    link_id: str
    kind: str  # group | boolean | integer | decimal | string | choice
    text: str
    required: bool  # must be answered (FHIR `required`)
    nullable: bool = False  # the key is required but may be null: unanswered means null
    repeats: bool = False
    choices: tuple[AnswerOption, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    min_occurs: int | None = None
    max_occurs: int | None = None
    pattern: str | None = None
    initial: Any = None
    children: tuple["ItemSpec", ...] = field(default=())

    @property
    def path(self) -> list[str]:
        return self.link_id.split(".")


def intake_items(schema: Schema | None = None) -> tuple[ItemSpec, ...]:
    """The item specs of the intake schema (the packaged IntakeSchema unless given)."""
    return _walk(schema or IntakeSchema(), "")


def flatten(items: tuple[ItemSpec, ...]) -> dict[str, ItemSpec]:
    """Every item, groups included, by linkId."""
    found: dict[str, ItemSpec] = {}
    for item in items:
        found[item.link_id] = item
        found.update(flatten(item.children))
    return found


def _walk(schema: Schema, prefix: str) -> tuple[ItemSpec, ...]:
    # A field FHIR carries as an element of the response (screened_at: QuestionnaireResponse.authored) is no item.
    return tuple(
        _item(f"{prefix}{name}", each) for name, each in schema.fields.items() if not each.metadata.get("fhir")
    )


def _item(link_id: str, each: fields.Field) -> ItemSpec:
    text = each.metadata.get("description") or link_id.rsplit(".", 1)[-1].replace("_", " ").capitalize()
    required = bool(each.required) and not each.allow_none
    if isinstance(each, fields.Nested):
        nested = each.schema
        if not isinstance(nested, Schema):
            raise UnaskableField(f"{link_id}: a Nested field without a schema instance")
        return ItemSpec(link_id, "group", text, required, children=_walk(nested, link_id + "."))
    if isinstance(each, fields.List):
        each_answer = each.inner.metadata.get("description")
        if each_answer:
            text = f"{text.rstrip('.')}. {each_answer}"
        inner = _leaf(link_id, each.inner, text, required)
        low, high = _length(each)
        return replace(inner, repeats=True, min_occurs=low, max_occurs=high)
    return _leaf(link_id, each, text, required, nullable=bool(each.required) and each.allow_none)


def _leaf(link_id: str, each: fields.Field, text: str, required: bool, nullable: bool = False) -> ItemSpec:
    kind = _kind(link_id, each)
    minimum = maximum = pattern = None
    choices: tuple[AnswerOption, ...] = ()
    for validator in each.validators:
        if isinstance(validator, validate.Range):
            minimum, maximum = validator.min, validator.max
        elif isinstance(validator, validate.OneOf):
            choices = tuple(AnswerOption(str(value), value, str(value)) for value in validator.choices)
        elif isinstance(validator, validate.Regexp):
            pattern = str(validator.regex.pattern)
    labels = each.metadata.get("choices")
    if labels:
        # Answers are indexes: 0 is the first label (the field's Range, if any, says the same).
        choices = tuple(AnswerOption(str(index), index, str(label)) for index, label in enumerate(labels))
    if choices:
        kind = "choice"
    default = each.load_default
    initial = None if callable(default) or default is None or default is missing else default
    return ItemSpec(
        link_id,
        kind,
        text,
        required,
        nullable=nullable,
        choices=choices,
        minimum=None if choices else minimum,
        maximum=None if choices else maximum,
        pattern=pattern,
        initial=initial,
    )


def _kind(link_id: str, each: fields.Field) -> str:
    # WholeNumber before StrictNumber: it is a subclass.
    for classes, kind in (
        ((StrictBoolean, fields.Boolean), "boolean"),
        ((WholeNumber, fields.Integer), "integer"),
        ((StrictNumber, fields.Float, fields.Decimal, fields.Number), "decimal"),
        ((fields.String,), "string"),
    ):
        if isinstance(each, classes):
            return kind
    raise UnaskableField(f"{link_id}: no FHIR item type for {type(each).__name__}")


def _length(each: fields.Field) -> tuple[int | None, int | None]:
    for validator in each.validators:
        if isinstance(validator, validate.Length):
            if validator.equal is not None:
                return validator.equal, validator.equal
            return validator.min, validator.max
    return None, None

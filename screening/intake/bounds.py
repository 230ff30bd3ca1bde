"""Refuse a list past its schema's maximum length before marshmallow reads a single item.

marshmallow checks a List's Length only after deserialising every item: a
`weekly_distance` of 7 million numbers took 20 s to be told it may hold 12.
`ListBounds(schema)` finds every List with a Length maximum (at any depth of
Nested sections) once; `check(payload)` then compares the lengths, which
costs nothing, and raises the same message marshmallow's validator gives.
"""

from marshmallow import Schema, ValidationError, fields, validate

from screening.errors import IntakeError

Bound = tuple[tuple[str, ...], int, validate.Length]


def _bounds(schema: Schema, path: tuple[str, ...] = ()) -> list[Bound]:
    found: list[Bound] = []
    for name, field in schema.fields.items():
        here = (*path, name)
        if isinstance(field, fields.Nested) and isinstance(field.schema, Schema):
            found.extend(_bounds(field.schema, here))
        elif isinstance(field, fields.List):
            for validator in field.validators:
                if isinstance(validator, validate.Length):
                    most = validator.equal if validator.equal is not None else validator.max
                    if most is not None:
                        found.append((here, most, validator))
    return found


class ListBounds:
    """The maximum length of every list in a schema, checked on a raw payload."""

    def __init__(self, schema: Schema):
        self.bounds = tuple(_bounds(schema))

    def check(self, payload) -> None:
        """Raise IntakeError naming every list longer than its maximum (other errors are marshmallow's)."""
        errors: dict[str, list[str]] = {}
        for path, most, validator in self.bounds:
            value = payload
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if isinstance(value, list) and len(value) > most:
                try:
                    validator(value)
                except ValidationError as error:
                    errors[".".join(path)] = list(error.messages)
        if errors:
            raise IntakeError(errors)

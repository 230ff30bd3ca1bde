"""Marshmallow fields that do not coerce (a boolean or a string is not a number), and a strict base schema.

marshmallow's own Integer turns `2.5` into 2, `"7"` into 7 and `True` into 1;
for rep counts and clinical scales that would hide a data-entry error, so these
fields accept only what the contract says.
"""

import math
from datetime import datetime

from marshmallow import RAISE, Schema, ValidationError, fields, validate


class StrictSchema(Schema):
    """Base schema of every strict document (intakes, rule files, results): unknown fields are an error."""

    class Meta:
        unknown = RAISE


def _kind(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class StrictNumber(fields.Field):
    """A JSON number (int or float, finite); never a boolean or a string."""

    default_error_messages = {
        "type": "Expected a number, got {kind}.",
        "finite": "Expected a finite number.",
    }

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("type", kind=_kind(value))
        if isinstance(value, float) and not math.isfinite(value):
            raise self.make_error("finite")
        return value

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class WholeNumber(StrictNumber):
    """A whole number: 7 or 7.0 (returned as 7); 7.5, "7" and true are refused."""

    default_error_messages = {"whole": "Expected a whole number, got {value}."}

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if isinstance(value, float):
            if not value.is_integer():
                raise self.make_error("whole", value=value)
            return int(value)
        return value


class StrictBoolean(fields.Field):
    """JSON true or false only; 1, 0, "yes" and "true" are refused."""

    default_error_messages = {"type": "Expected true or false, got {kind}."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("type", kind=_kind(value))
        return value

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class FullMatch(validate.Regexp):
    """A pattern the whole value must match.

    marshmallow's Regexp uses `re.match`, where `$` also matches before a
    trailing newline, so "club-0042\n" passed `^[A-Za-z0-9._-]{1,64}$`. The
    pattern itself stays as written, so OpenAPI documents the same rule.
    """

    def __call__(self, value):
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})$"
EARLIEST_YEAR = 2000


class Rfc3339Time(FullMatch):
    """An RFC 3339 date-time with its offset (Z or +01:00), a real calendar time, not before 2000.

    How far it may lie in the future is the screener's check (it needs the clock: screening.service).
    """

    def __init__(self):
        super().__init__(
            RFC3339,
            error="Expected an RFC 3339 date and time with its offset, such as 2026-11-30T14:05:00+01:00 or "
            "2026-11-30T13:05:00Z.",
        )

    def __call__(self, value):
        super().__call__(value)
        try:
            moment = datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
        except ValueError:
            raise ValidationError(f"Not a real date and time: {value}.") from None
        if moment.year < EARLIEST_YEAR:
            raise ValidationError(f"Expected a time in {EARLIEST_YEAR} or later, got {value}.")
        return value

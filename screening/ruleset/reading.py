"""Read one mapping of a rules file with its strict schema, naming the file on any error."""

from marshmallow import Schema, ValidationError

from screening.errors import RulesError
from screening.ruleset.model import Evidence


def _messages(errors, prefix="") -> str:
    """Flatten marshmallow's nested messages into `key: message` phrases."""
    if isinstance(errors, list):
        return "; ".join(f"{prefix}{m}" if prefix else str(m) for m in errors)
    parts = []
    for key, value in errors.items():
        label = f"{prefix}{key}"
        if value == ["Unknown field."]:
            parts.append(f"unknown key '{label}'")
        else:
            parts.append(_messages(value, f"{label}: ") if isinstance(value, list) else _messages(value, f"{label}."))
    return "; ".join(parts)


def load_checked(schema: Schema, data, where: str) -> dict:
    if not isinstance(data, dict):
        raise RulesError(f"{where}: expected a mapping, got {type(data).__name__}")
    try:
        return schema.load(data)
    except ValidationError as error:
        raise RulesError(f"{where}: {_messages(error.messages)}") from error


def evidence_of(items) -> tuple[Evidence, ...]:
    return tuple(Evidence(**item) for item in items)

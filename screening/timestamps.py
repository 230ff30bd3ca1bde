"""How a result says when it was screened: UTC, ISO 8601 to the second, with Z ("2026-12-01T08:00:00Z")."""

from datetime import UTC, datetime

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def format_time(moment: datetime) -> str:
    """A UTC moment (aware, or naive as the store holds it) as a result's `screened_at`."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime(TIME_FORMAT)


def parse_time(text: str) -> datetime:
    """A result's `screened_at` as a naive UTC datetime, as the store's column holds it."""
    return datetime.strptime(text, TIME_FORMAT)


def now_text() -> str:
    return format_time(datetime.now(UTC))

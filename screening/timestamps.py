"""How a result says when it was screened: UTC, ISO 8601 to the second, with Z ("2026-12-01T08:00:00Z").

A posted intake may say when the visit happened (`screened_at`, RFC 3339 with
its offset); it may lie at most CLOCK_SKEW after the service's clock, so a
client whose clock runs a little fast is not refused, and a visit cannot be
entered for tomorrow.
"""

from datetime import UTC, datetime, timedelta

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# How far a given `screened_at` may lie after the service's clock (config CLOCK_SKEW_SECONDS).
CLOCK_SKEW = timedelta(minutes=5)


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


def parse_rfc3339(text: str) -> datetime:
    """An RFC 3339 time (already validated by the intake schema) as an aware UTC datetime."""
    return datetime.fromisoformat(text.replace("z", "Z").replace("t", "T")).astimezone(UTC)


def naive_utc(moment: datetime) -> datetime:
    """A moment as the store holds it: naive UTC (an aware one is converted; a naive one is UTC already)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment


def too_late(moment: datetime, skew: timedelta, now: datetime | None = None) -> str | None:
    """Why `moment` (aware) cannot be a visit's time: more than `skew` after now; None when it can."""
    limit = (now or datetime.now(UTC)) + skew
    if moment <= limit:
        return None
    minutes = skew.total_seconds() / 60
    return (
        f"Must not be in the future: {format_time(moment)} is more than {minutes:g} minutes after the "
        f"service's clock ({format_time(limit - skew)})."
    )

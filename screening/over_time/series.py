"""What a runner's earlier screenings add to this one: personal baselines, soreness that lasts, merged weeks.

    history = RunnerHistory(points, previous)    # the runner's stored screenings, newest first
    screener.screen_valid(intake, history=history, screened_at=...)

Pure: the store reads the rows (api/store.py, commands/roster.py) and this
module computes from them; it never opens a database. `history=None` means no
store is kept (a stateless service, `soleus-screen screen`): every rule that
reads the series is then reported as not assessed, never guessed. An empty
RunnerHistory is a runner with no stored screening yet.

Every modelling choice below is a parameter in rules/parameters/modelling.yaml
(with its basis), read through the ruleset:

- personal baseline (Saw 2016): the mean and SD of fatigue and of soreness
  over the runner's screenings in the `baseline_window_days` before this one,
  one observation a day (UTC; the latest screening of that day, none of this
  screening's day), when there are at least `baseline_min_screenings` days
  spanning at least `baseline_min_span_days`; z = (today - mean) / SD, the SD
  floored at `baseline_sd_floor` scale points (a runner who always reports the
  same value is not 'infinitely' off baseline by one point);
- soreness across screenings: this screening and the consecutive earlier ones
  that all report soreness, each no more than `soreness_chain_max_gap_days`
  after the one before and each reached by the soreness of the one after it
  (its `soreness_days`, when given, go back to the earlier visit's day: "sore
  1 day" at two visits a week apart is two episodes), span (now - the
  earliest) whole days;
- merged weeks: the intake's own weeks win; older weeks come from the newest
  earlier screening that has them, aligned by the weeks between the two
  screenings (to the nearest whole week), converted to this intake's unit; merging stops at the first week
  no screening covers, and at `merged_weeks` weeks in all;
- permanent and dated facts (`Facts`): a previous DVT once recorded stays on
  record (from the first screening that recorded it since any correction),
  and a calf strain is a date (the screening's time less the weeks entered),
  read from every earlier screening of the runner, not only the newest few.
"""

import json
import math
import operator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from screening.intake.schema import KM_PER_MILE

Weeks = tuple[list[float], str]  # (weekly distances oldest first, unit "km" or "mi")


class Point(NamedTuple):
    """One earlier stored screening as the series reads it."""

    screening_id: str
    screened_at: datetime  # naive UTC, as the store holds it
    fatigue: int | None
    soreness: int | None
    weeks: str | None  # '["km",[38,40]]' as stored (history/screening_row.py), parsed only if a merge needs it
    soreness_days: int | None = None  # how many days the soreness had lasted, as reported then
    heel_raise_left: int | None = None  # single-leg bent-knee heel raises then (None: not tested)
    heel_raise_right: int | None = None
    programme_stage: str | None = None  # the programme's stage then ('stage_2', 'withheld'; None: before it)


@dataclass(frozen=True)
class Facts:
    """What stays true of a runner between screenings, as the earlier screenings recorded it (naive UTC).

    `previous_dvt_since`: when a previous DVT was first recorded (since the last screening that said
    the record was in error); None: none on record. `calf_strain_on`: the most recent calf strain's
    date, from the newest screening that gave one (`calf_strain_recorded_at`); None: none on record.
    """

    previous_dvt_since: datetime | None = None
    calf_strain_on: datetime | None = None
    calf_strain_recorded_at: datetime | None = None


NO_FACTS = Facts()


@dataclass(frozen=True)
class Previous:
    """The runner's newest earlier screening's summary, for the `history` section."""

    screening_id: str
    screened_at: datetime
    ruleset_version: str
    score: int
    band: str
    urgency: str | None
    fired: tuple[str, ...]


def weeks_text(weeks: list[float], unit: str) -> str:
    """How a screening's weeks are stored: '["km",[38,40]]'."""
    return json.dumps([unit, weeks], separators=(",", ":"))


def _parse_weeks(text: str | None) -> Weeks | None:
    if not text:
        return None
    unit, weeks = json.loads(text)
    return weeks, unit


class RunnerHistory:
    """A runner's earlier stored screenings, newest first, the newest one's summary, and the facts on record."""

    def __init__(self, points: list[Point], previous: Previous | None = None, facts: Facts = NO_FACTS):
        if bool(points) != (previous is not None):
            raise ValueError("a history has a previous screening exactly when it has points")
        self.points = points
        self.previous = previous
        self.facts = facts


@dataclass(frozen=True)
class Baseline:
    screenings: int
    mean: float
    sd: float
    z: float
    highest: int = 0  # the highest value among them (0: never sore, for soreness)


WEEK = timedelta(weeks=1)


def _before(history: RunnerHistory, now: datetime) -> list[Point]:
    """The screenings strictly before `now` (a roster run's own rows never count as its history)."""
    points = history.points
    if not points or points[0].screened_at < now:  # newest first: all of them (every POST's case)
        return points
    return [p for p in points if p.screened_at < now]


def baseline(values: list[int], today: int, *, minimum: int, sd_floor: float) -> Baseline | None:
    """Today's value against the earlier values' mean and sample SD (floored), or None with too few values."""
    count = len(values)
    if count < minimum:
        return None
    total, squares = sum(values), sum(map(operator.mul, values, values))
    mean = total / count
    # The sample variance from the sums, exact for whole-number scales until the one division.
    sd = max(math.sqrt((count * squares - total * total) / (count * (count - 1))), sd_floor)
    return Baseline(count, round(mean, 2), round(sd, 2), round((today - mean) / sd, 2), max(values))


def _daily(points: list[Point], value, today) -> list[tuple[datetime, int]]:
    """(time, value) of the latest screening of each day that has a value, newest first, not of `today`."""
    days: dict = {}
    for point in points:  # newest first: the first of a day seen is its latest
        found = value(point)
        day = point.screened_at.date()
        if found is not None and day != today and day not in days:
            days[day] = (point.screened_at, found)
    return list(days.values())


def baselines(
    history: RunnerHistory,
    now: datetime,
    fatigue: int,
    soreness: int,
    *,
    window_days: int,
    minimum: int,
    sd_floor: float,
    min_span_days: int = 0,
) -> dict[str, Baseline | None]:
    """Fatigue and soreness against the runner's own baseline: one observation a day, the latest (module text)."""
    since = now - timedelta(days=window_days)
    recent = [p for p in _before(history, now) if p.screened_at >= since]
    found: dict[str, Baseline | None] = {}
    for name, today, value in (
        ("fatigue", fatigue, operator.attrgetter("fatigue")),
        ("soreness", soreness, operator.attrgetter("soreness")),
    ):
        daily = _daily(recent, value, now.date())
        spans = len(daily) > 1 and (daily[0][0].date() - daily[-1][0].date()).days >= min_span_days
        values = [each for _, each in daily]
        found[name] = baseline(values, today, minimum=minimum, sd_floor=sd_floor) if spans else None
    return found


class SorenessChain(NamedTuple):
    days: int  # whole days from the earliest screening of the chain to this one
    since: datetime  # that earliest screening's time


def soreness_chain(
    history: RunnerHistory,
    now: datetime,
    soreness: int,
    soreness_days: int | None,
    *,
    present: int,
    max_gap_days: int,
) -> SorenessChain | None:
    """The soreness seen across consecutive screenings up to now; None when there is no chain.

    The chain is this screening and the earlier ones right before it that all
    report soreness of at least `present`, none more than `max_gap_days` after
    the one before it, and each reached by the soreness of the one after it: a
    later visit's `soreness_days` (when given) must go back to the earlier
    visit's day, else the later soreness began after it (a new episode). No
    earlier sore screening: None (nothing seen across screenings).
    """
    if soreness < present:
        return None
    later, later_days, earliest = now, soreness_days, None
    gap = timedelta(days=max_gap_days)
    for prior in _before(history, now):
        if prior.soreness is None or prior.soreness < present or later - prior.screened_at > gap:
            break
        if later_days is not None and (later.date() - prior.screened_at.date()).days > later_days:
            break  # what the later visit reported began after this visit: not the same soreness
        earliest = later = prior.screened_at
        later_days = prior.soreness_days
    if earliest is None:
        return None
    return SorenessChain((now - earliest).days, earliest)


def _in_unit(value: float, unit: str, target: str) -> float:
    if unit == target:
        return value
    return value * KM_PER_MILE if unit == "mi" else value / KM_PER_MILE


@dataclass(frozen=True)
class MergedWeeks:
    weeks: list[float]  # oldest first, in the intake's unit
    entered: int
    from_earlier: int
    screenings: list[str]  # the earlier screenings that gave a week, newest first


def merge_weeks(history: RunnerHistory, now: datetime, entered: list[float], unit: str, *, most: int) -> MergedWeeks:
    """The intake's weeks, extended into the past from earlier screenings (see the module text)."""
    by_age: dict[int, tuple[float, str | None]] = {age: (value, None) for age, value in enumerate(reversed(entered))}
    known = len(entered)  # weeks from the latest back known without a gap
    read: set[tuple[int, str]] = set()
    # A screening's offset is weeks_between(it, now). Newest first, so it never falls: it is worked out
    # again only for a screening at or before the edge its offset ends at, not for each of 60 a POST.
    offset, edge = 0, now - WEEK / 2
    for prior in _before(history, now):
        if known >= most:
            break
        if prior.screened_at <= edge:
            offset = weeks_between(prior.screened_at, now)
            edge = now - WEEK * (offset + 0.5)
        if offset >= most:
            break  # older screenings are older still: none reaches a week within `most`
        if prior.weeks is None or (offset, prior.weeks) in read:
            continue  # the same weeks at the same place as a newer screening's add nothing
        read.add((offset, prior.weeks))
        weeks = _parse_weeks(prior.weeks)
        if weeks is None:
            continue
        values, their_unit = weeks
        for back, value in enumerate(reversed(values)):
            age = offset + back
            if age < most and age not in by_age:  # a newer account of a week is never overwritten
                by_age[age] = (_in_unit(value, their_unit, unit), prior.screening_id)
        while known in by_age:
            known += 1
    kept = [by_age[age] for age in range(known)]  # stops at the first week nobody reported
    sources = list(dict.fromkeys(source for _, source in kept if source is not None))
    return MergedWeeks([value for value, _ in reversed(kept)], len(entered), len(kept) - len(entered), sources)


def weeks_between(earlier: datetime, later: datetime) -> int:
    """Whole weeks from one screening to a later one, to the nearest (6 days is a week: a week has most likely
    ended between them; 3 days is none)."""
    return math.floor((later - earlier) / WEEK + 0.5)

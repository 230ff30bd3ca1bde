"""A team's runners as a coach follows them: each one's latest screening, what changed, and the counts.

    rows = store.team_runners("club-a")             # one read of team_runners (migration 0008_team)
    view = TeamView.of(rows, TeamFilters.of(args, today), z_high=2.0)
    view.summary, view.shown                        # the counts over the whole team, the runners filtered

Pure: it never opens a database. What changed is what the latest screening's
result compared with (the runner's previous stored screening then); a
runner screened once has no change. A z-score is shown only when the result
had a baseline (else "not assessed", never guessed).
"""

import functools
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from screening.ruleset.model import BANDS, URGENCIES

STALE_DAYS = 28  # "not screened for more than 4 weeks": design choice (a training block; the baseline window)
SINCE_DAYS = 7  # the summary's "since DATE" by default: a week before today, design choice (a weekly review)
CHANGES = ("up", "down", "new_referral", "cleared_referral", "any")
REFERRALS = (*URGENCIES, "none", "any")
SORTS = ("runner", "latest", "oldest", "score", "change")
_MIDNIGHT = time()
_RANK = {band: rank for rank, band in enumerate(BANDS)}  # the order a change is ranked in
PAGE, PAGE_MAX = 100, 1000  # runners drawn per page (default, most); the CSV export holds every filtered runner


class TeamRunner(NamedTuple):
    """One runner's latest screening (a team_runners row, its columns in this order) and what it changed since
    their previous one. A tuple: 10,000 of them are made for each team page."""

    runner_id: str
    screening_id: str
    screened_at: datetime
    score: int
    band: str
    urgency: str | None
    group: str | None
    fatigue_z: float | None
    soreness_z: float | None
    previous_score: int | None
    previous_band: str | None
    previous_urgency: str | None
    programme_stage: str | None

    @property
    def band_change(self) -> str | None:
        """up, down or same against the previous screening's band (None: no previous one)."""
        now, before = _RANK.get(self.band), _RANK.get(self.previous_band or "")
        if now is None or before is None:
            return None
        return "up" if now > before else "down" if now < before else "same"

    @property
    def score_change(self) -> int | None:
        return None if self.previous_band is None or self.previous_score is None else self.score - self.previous_score

    @property
    def referral_change(self) -> str | None:
        """new_referral or cleared_referral against the previous screening (None: neither, or no previous)."""
        if self.previous_band is None:
            return None
        if self.urgency and not self.previous_urgency:
            return "new_referral"
        if self.previous_urgency and not self.urgency:
            return "cleared_referral"
        return None

    def changed(self, change: str) -> bool:
        if change == "any":
            return self.band_change in ("up", "down") or self.referral_change is not None
        if change in ("up", "down"):
            return self.band_change == change
        return self.referral_change == change


def _date(text: str | None) -> date | None:
    if text and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    return None


class FilterError(ValueError):
    """A filter's value is not one it takes: `field` names it, the message says what was expected."""

    def __init__(self, name: str, expected: str):
        super().__init__(expected)
        self.field = name
        self.expected = expected


def _one_of(args, name: str, allowed: tuple[str, ...]) -> str | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    if value not in allowed:
        raise FilterError(name, f"Expected one of {', '.join(allowed)}.")
    return value


def _day(args, name: str) -> date | None:
    text = (args.get(name) or "").strip()
    if not text:
        return None
    found = _date(text)
    if found is None:
        raise FilterError(name, "Expected a date, YYYY-MM-DD.")
    return found


@dataclass(frozen=True)
class TeamFilters:
    """What the list shows: every filter is optional; `since` is the summary's "changed since" date."""

    today: date
    since: date
    band: str | None = None
    referral: str | None = None
    change: str | None = None
    not_since: date | None = None
    group: str | None = None
    search: str = ""
    sort: str = "runner"
    page: int = 1
    limit: int = PAGE

    @classmethod
    def of(cls, args, today: date) -> "TeamFilters":
        """The filters a request's query gives (a FilterError names a value it cannot take)."""
        page_text = (args.get("page") or "1").strip()
        if not re.fullmatch(r"[0-9]{1,6}", page_text) or int(page_text) < 1:
            raise FilterError("page", "Expected a page number from 1.")
        limit_text = (args.get("limit") or str(PAGE)).strip()
        if not re.fullmatch(r"[0-9]{1,4}", limit_text) or not 1 <= int(limit_text) <= PAGE_MAX:
            raise FilterError("limit", f"Expected 1-{PAGE_MAX} runners a page.")
        search = (args.get("q") or "").strip()
        if len(search) > 64:
            raise FilterError("q", "Expected at most 64 characters of a runner code.")
        group = (args.get("group") or "").strip() or None
        if group is not None and len(group) > 64:
            raise FilterError("group", "Expected a group name of at most 64 characters.")
        return cls(
            today=today,
            since=_day(args, "since") or today - timedelta(days=SINCE_DAYS),
            band=_one_of(args, "band", BANDS),
            referral=_one_of(args, "referral", REFERRALS),
            change=_one_of(args, "change", CHANGES),
            not_since=_day(args, "not_since"),
            group=group,
            search=search,
            sort=_one_of(args, "sort", SORTS) or "runner",
            page=int(page_text),
            limit=int(limit_text),
        )

    @functools.cached_property
    def since_at(self) -> datetime:
        """`since` as the first moment of its day (UTC), as the stored times are."""
        return datetime.combine(self.since, _MIDNIGHT)

    @property
    def stale_before(self) -> date:
        return self.today - timedelta(days=STALE_DAYS)

    def query(self, **changed) -> dict:
        """These filters (changed as given) as query parameters, the defaults left out: a link's query."""
        chosen = replace(self, **changed)
        values = {
            "band": chosen.band,
            "referral": chosen.referral,
            "change": chosen.change,
            "since": chosen.since.isoformat() if chosen.since != self.today - timedelta(days=SINCE_DAYS) else None,
            "not_since": chosen.not_since.isoformat() if chosen.not_since else None,
            "group": chosen.group,
            "q": chosen.search or None,
            "sort": None if chosen.sort == "runner" else chosen.sort,
            "page": chosen.page if chosen.page > 1 else None,
            "limit": chosen.limit if chosen.limit != PAGE else None,
        }
        return {key: value for key, value in values.items() if value is not None}

    def only(self, **chosen) -> dict:
        """The query of a link to these filters cleared but for `chosen` (the summary's links): the same
        `since`, sort and page size, page 1."""
        clean = TeamFilters(today=self.today, since=self.since, sort=self.sort, limit=self.limit)
        return clean.query(**chosen)

    @property
    def narrows(self) -> bool:
        """Whether any filter is set (else every runner is kept)."""
        chosen = (self.band, self.referral, self.change, self.not_since, self.group, self.search)
        return any(value for value in chosen)

    def keeps(self, runner: TeamRunner) -> bool:
        if self.band and runner.band != self.band:
            return False
        if self.referral == "any" and not runner.urgency:
            return False
        if self.referral == "none" and runner.urgency:
            return False
        if self.referral in URGENCIES and runner.urgency != self.referral:
            return False
        if self.change and not (runner.screened_at >= self.since_at and runner.changed(self.change)):
            return False
        if self.not_since and runner.screened_at >= datetime.combine(self.not_since, _MIDNIGHT):
            return False
        if self.group and runner.group != self.group:
            return False
        return not self.search or self.search.lower() in runner.runner_id.lower()


def _sort_key(sort: str):
    if sort == "latest":
        return lambda r: (-r.screened_at.timestamp(), r.runner_id)
    if sort == "oldest":
        return lambda r: (r.screened_at, r.runner_id)
    if sort == "score":
        return lambda r: (-r.score, r.runner_id)
    if sort == "change":
        return lambda r: (-(r.score_change or 0), r.runner_id)
    return lambda r: r.runner_id


@dataclass(frozen=True)
class Summary:
    """Counts over the whole team (never only the filtered runners)."""

    runners: int
    bands: dict[str, int]
    urgencies: dict[str, int]
    up_a_band: int
    new_referrals: int
    stale: int
    groups: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TeamView:
    summary: Summary
    matched: list[TeamRunner]  # every runner the filters keep, sorted
    filters: TeamFilters

    @classmethod
    def of(cls, runners: list[TeamRunner], filters: TeamFilters) -> "TeamView":
        bands = Counter(r.band for r in runners)
        urgencies = Counter(r.urgency or "none" for r in runners)
        stale = datetime.combine(filters.stale_before, _MIDNIGHT)
        recent = [r for r in runners if r.screened_at >= filters.since_at]
        summary = Summary(
            runners=len(runners),
            bands={band: bands.get(band, 0) for band in BANDS},
            urgencies={urgency: urgencies.get(urgency, 0) for urgency in (*reversed(URGENCIES), "none")},
            up_a_band=sum(1 for r in recent if r.band_change == "up"),
            new_referrals=sum(1 for r in recent if r.referral_change == "new_referral"),
            stale=sum(1 for r in runners if r.screened_at < stale),
            groups=sorted({r.group for r in runners if r.group}),
        )
        matched = [r for r in runners if filters.keeps(r)] if filters.narrows else list(runners)
        matched.sort(key=_sort_key(filters.sort))  # already in runner order when read: then O(n)
        return cls(summary, matched, filters)

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.matched) // self.filters.limit))

    @property
    def shown(self) -> list[TeamRunner]:
        """The runners of this page."""
        start = (self.filters.page - 1) * self.filters.limit
        return self.matched[start : start + self.filters.limit]

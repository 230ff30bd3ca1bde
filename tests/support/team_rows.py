"""A small team screened as the service screens (each runner's stored history read first), for the team tests.

    results = screen_and_store(store, payload, "club-a", at)     # one screening, stored
    club(store, now)                                               # the team below, screened before `now`
    stand_in_row("big", runner, week, 50, now)                     # a stand-in row of a big team (no screening)

club-a: up-1 (low, then high with a new routine referral), down-1 (symptomatic with an urgent referral,
then low: the referral cleared), same-1 (low twice), stale-1 (low, once, 40 days ago), urgent-1 (calf
swelling: symptomatic, urgent, once);
club-b: other-1 (another team's runner).
"""

import copy
import uuid
from datetime import datetime, timedelta

from screening import default_screener
from screening.history.screening_row import ScreeningRow
from screening.history.store import Store
from screening.timestamps import format_time
from tests.support.history_rows import EXAMPLE
from tests.support.intakes import healthy


def screen_and_store(store: Store, payload: dict, team: str, at: datetime) -> dict:
    core = default_screener()
    intake = core.validate(payload)
    history = store.history(team, intake["runner"]["id"])
    result = core.screen_valid(intake, screening_id=uuid.uuid4().hex, screened_at=format_time(at), history=history)
    store.add(ScreeningRow.to_store(intake, result, team, at=at)[0])
    return result


def example(runner_id: str) -> dict:
    payload = copy.deepcopy(EXAMPLE)
    payload["runner"]["id"] = runner_id
    return payload


def swollen(runner_id: str) -> dict:
    payload = healthy(runner_id)
    payload["red_flags"]["calf_swelling"] = True
    return payload


def club(store: Store, now: datetime) -> None:
    ago = lambda days: (now - timedelta(days=days)).replace(microsecond=0)  # noqa: E731
    for payload, days in (
        (healthy("up-1"), 20),
        (example("up-1"), 2),
        (swollen("down-1"), 30),
        (healthy("down-1"), 3),
        (healthy("same-1"), 10),
        (healthy("same-1"), 1),
        (healthy("stale-1"), 40),
        (swollen("urgent-1"), 1),
    ):
        screen_and_store(store, payload, "club-a", ago(days))
    screen_and_store(store, healthy("other-1"), "club-b", ago(1))


BANDS = ("low", "low", "low", "moderate", "moderate", "high", "symptomatic")
URGENCY = {"low": None, "moderate": None, "high": "routine", "symptomatic": "urgent"}
GROUPS = ("juniors", "masters", "elite", None)


def stand_in_row(team: str, runner: int, week: int, per_runner: int, now: datetime) -> dict:
    """One stand-in screening for a big team (the bench, the browser test): a band, referral, group and z-scores
    that vary by runner and week, the previous one's band; its intake and result are short stand-in texts (the
    team page reads only team_runners). The latest of `per_runner` weekly ones is 2 days before `now`; every
    17th runner's 6 weeks earlier (not screened for more than 4 weeks)."""
    band = BANDS[(runner + week) % len(BANDS)]
    before = BANDS[(runner + week - 1) % len(BANDS)] if week else None
    stale = runner % 17 == 0  # about 6%: last screened more than 4 weeks ago
    baseline_from = min(4, per_runner - 1)  # a baseline from the 5th screening (the latest, with fewer)
    at = now - timedelta(weeks=per_runner - 1 - week + (6 if stale else 0), days=2, seconds=runner)
    return {
        "screening_id": uuid.uuid4().hex,
        "team": team,
        "runner_id": f"runner-{runner:05d}",
        "screened_at": at,
        "ruleset_version": "2.2.0",
        "intake": "{}",
        "result": '{"stand_in": true}',
        "score": 10 * BANDS.index(band),
        "band": band,
        "urgency": URGENCY[band],
        "fired": [],
        "fatigue": (runner + week) % 11,
        "soreness": (runner * 3 + week) % 11,
        "weekly_km": 40.0,
        "ostrc_severity": None,
        "weeks": '["km",[40]]',
        "runner_group": GROUPS[runner % len(GROUPS)],
        "fatigue_z": None if week < baseline_from else ((runner * 7 + week) % 50) / 10 - 2.5,
        "soreness_z": None if week < baseline_from else ((runner * 11 + week) % 50) / 10 - 2.5,
        "previous_score": None if before is None else 10 * BANDS.index(before),
        "previous_band": before,
        "previous_urgency": None if before is None else URGENCY[before],
    }

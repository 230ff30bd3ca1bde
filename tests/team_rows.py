"""A small team screened as the service screens (each runner's stored history read first), for the team tests.

    results = screen_and_store(store, payload, "club-a", at)     # one screening, stored
    club(store, now)                                               # the team below, screened before `now`

club-a: up-1 (low, then high with a new routine referral), down-1 (symptomatic with an urgent referral,
then low: the referral cleared), same-1 (low twice), stale-1 (low, once, 40 days ago), urgent-1 (calf
swelling: symptomatic, urgent, once);
club-b: other-1 (another team's runner).
"""

import copy
import uuid
from datetime import datetime, timedelta

from history_rows import EXAMPLE
from intakes import healthy

from screening import default_screener
from screening.history import Screening, Store
from screening.timestamps import format_time


def screen_and_store(store: Store, payload: dict, team: str, at: datetime) -> dict:
    core = default_screener()
    intake = core.validate(payload)
    history = store.history(team, intake["runner"]["id"])
    result = core.screen_valid(intake, screening_id=uuid.uuid4().hex, screened_at=format_time(at), history=history)
    store.add(Screening.to_store(intake, result, team, at=at)[0])
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

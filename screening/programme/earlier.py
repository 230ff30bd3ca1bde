"""The programme across visits: each earlier screening's heel raises and stage, and the change said in words.

    "left 14 -> 21 reps, right 22 -> 23 reps since 2 Nov; moved from stage 2 to stage 3"

Read from the runner's stored history (the points carry each screening's
heel raises and the programme stage it gave: `stage_2`, `withheld`, or None
for a screening stored before the programme). A leg not tested then or now is
said so; nothing is guessed.
"""

from screening.over_time.series import Point, RunnerHistory
from screening.programme.choose import Legs
from screening.programme.model import ProgrammeRules
from screening.timestamps import format_time

WITHHELD = "withheld"


def stage_of(section: dict) -> str:
    """What a result's programme section stores as its stage: the stage id, or 'withheld'."""
    return WITHHELD if section["status"] == WITHHELD else section["stage"]["id"]


def _day(point: Point) -> str:
    at = point.screened_at
    return f"{at.day} {at:%b %Y}"


def _legs_change(before: Point, now: Legs) -> list[str]:
    said = []
    for leg, was, is_ in (("left", before.heel_raise_left, now.left), ("right", before.heel_raise_right, now.right)):
        if was is None and is_ is None:
            continue
        if was is None:
            said.append(f"{leg} {is_} reps (not tested before)")
        elif is_ is None:
            said.append(f"{leg} not tested (was {was} reps)")
        else:
            said.append(f"{leg} {was} -> {is_} reps")
    return said


def _stage_change(was: str | None, now: str, rules: ProgrammeRules) -> str:
    if was is None:
        return "no programme was given then"
    if was == WITHHELD and now == WITHHELD:
        return "the programme is still withheld"
    if was == WITHHELD:
        return f"the programme starts at stage {rules.stage(now).number} (withheld last time)"
    before = rules.stage(was).number if was in {s.id for s in rules.stages} else None
    if before is None:
        return f"the stage then was {was}"
    if now == WITHHELD:
        return f"withheld now (stage {before} last time)"
    after = rules.stage(now).number
    if after > before:
        return f"moved from stage {before} to stage {after}"
    if after < before:
        return f"stepped back from stage {before} to stage {after}"
    return f"stayed at stage {after}"


def earlier_section(history: RunnerHistory, legs: Legs, section: dict, rules: ProgrammeRules, shown: int) -> dict:
    """The earlier screenings (newest first, at most `shown`) and the change since the newest one."""
    points = history.points[:shown]
    earlier = [
        {
            "screening_id": p.screening_id,
            "screened_at": format_time(p.screened_at),
            "left": p.heel_raise_left,
            "right": p.heel_raise_right,
            "stage": p.programme_stage,
        }
        for p in points
    ]
    change = None
    if points:
        last = points[0]
        parts = _legs_change(last, legs)
        legs_said = f"{', '.join(parts)} since {_day(last)}" if parts else f"no heel raises tested since {_day(last)}"
        change = f"{legs_said}; {_stage_change(last.programme_stage, stage_of(section), rules)}"
    return {"earlier": earlier, "change": change}

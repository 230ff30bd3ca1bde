"""The rule inputs a runner's earlier stored screenings give: soreness across screenings, personal
baselines, and the facts kept on record (a previous DVT, a calf strain's date).

`derive` calls these with the runner's history (screening/over_time/series.py
computes from it); without one every input read from it is None, and the
rules that need it are not assessed. Each fills in `sources` (input name ->
where the value came from, in words) for the inputs it supplies.
"""

import math
from datetime import datetime
from typing import NamedTuple

from screening.over_time import series
from screening.over_time.series import WEEK, RunnerHistory
from screening.ruleset.model import Ruleset
from screening.timestamps import format_time


class FactInputs(NamedTuple):
    """The facts the rules read (a previous DVT, the calf strain's age: entered, or from the record) and
    what the record holds (series.Facts, in the result's words)."""

    previous_dvt: bool
    calf_strain_weeks_ago: int | None
    on_record: dict  # the result's history.on_record: what the earlier screenings keep on record


def facts_on_record(intake: dict, history: RunnerHistory | None, now: datetime | None, sources: dict) -> FactInputs:
    """The previous DVT and the calf strain's age: as entered, or as the runner's earlier screenings recorded."""
    corrections = intake.get("corrections") or {}
    entered_dvt = intake["red_flags"]["previous_dvt"]
    weeks = intake["runner"]["prior_calf_strain_weeks_ago"]
    facts = history.facts if history is not None else series.NO_FACTS
    on_record: dict = {"previous_dvt": None, "calf_strain": None}
    dvt = entered_dvt
    if facts.previous_dvt_since is not None:
        since = format_time(facts.previous_dvt_since)
        if corrections.get("previous_dvt_in_error"):
            on_record["previous_dvt"] = {"recorded_at": since, "corrected": True}
        else:
            on_record["previous_dvt"] = {"recorded_at": since, "corrected": False}
            if not entered_dvt:
                dvt = True
                sources["red_flags.previous_dvt"] = f"recorded on {since[:10]}"
    if facts.calf_strain_on is not None and now is not None:
        recorded_at = facts.calf_strain_recorded_at or facts.calf_strain_on
        aged = max(0, math.floor((now - facts.calf_strain_on) / WEEK))
        on_record["calf_strain"] = {
            "date": format_time(facts.calf_strain_on)[:10],
            "recorded_at": format_time(recorded_at),
            "weeks_ago": aged,
            "corrected": bool(corrections.get("calf_strain_in_error")),
        }
        if weeks is None and not corrections.get("calf_strain_in_error"):
            weeks = aged
            sources["derived.calf_strain_weeks_ago"] = (
                f"recorded on {format_time(recorded_at)[:10]}: a strain on {format_time(facts.calf_strain_on)[:10]}"
            )
    return FactInputs(dvt, weeks, on_record)


def from_history(
    intake: dict, ruleset: Ruleset, history: RunnerHistory | None, now: datetime | None, sources: dict
) -> tuple[dict, dict]:
    """The inputs read from earlier screenings (None where unknown), and the baselines as the result shows them."""
    wellness = intake["wellness"]
    fatigue, soreness, days = wellness["fatigue"], wellness["soreness"], wellness["soreness_days"]
    chain = base = None
    if history is not None and now is not None:
        chain = series.soreness_chain(
            history,
            now,
            soreness,
            days,
            present=int(ruleset.parameter("wellness.soreness_present")),
            max_gap_days=int(ruleset.parameter("modelling.soreness_chain_max_gap_days")),
        )
        base = series.baselines(
            history,
            now,
            fatigue,
            soreness,
            window_days=int(ruleset.parameter("modelling.baseline_window_days")),
            minimum=int(ruleset.parameter("modelling.baseline_min_screenings")),
            sd_floor=ruleset.parameter("modelling.baseline_sd_floor"),
            min_span_days=int(ruleset.parameter("modelling.baseline_min_span_days")),
        )
    span = chain.days if chain else None
    if days is not None and (span is None or days >= span):
        lasted = days
        sources["derived.soreness_lasted_days"] = "as reported"
    elif chain is not None and (
        days is not None or chain.days >= ruleset.parameter("wellness.soreness_days_persistent")
    ):
        # A span is enough on its own only when long enough: a shorter one says nothing of the days before it.
        lasted = span
        sources["derived.soreness_lasted_days"] = f"across screenings from {format_time(chain.since)[:10]}"
    else:
        lasted = None
    inputs: dict = {"derived.soreness_lasted_days": lasted, "derived.soreness_screenings_span_days": span}
    shown: dict = {}
    for name in ("fatigue", "soreness"):
        found = base.get(name) if base else None
        inputs[f"derived.{name}_z"] = found.z if found else None
        inputs[f"derived.{name}_baseline_mean"] = found.mean if found else None
        shown[name] = (
            None
            if found is None
            else {"screenings": found.screenings, "mean": found.mean, "sd": found.sd, "z": found.z}
        )
    soreness_base = base.get("soreness") if base else None
    inputs["derived.soreness_baseline_max"] = soreness_base.highest if soreness_base else None
    return inputs, shown

"""Compute the rules' inputs from a validated intake.

Distances are shown in km (miles converted, rounded to 0.01 for reading) but
never rounded before a rule reads them. Every ratio a rule compares is taken
in the entered unit, first rounded to 9 decimals (so float noise from a unit
can never move a result: km and mi agree, also exactly at a threshold), then
to `modelling.ratio_decimals`: the value a clinician sees is exactly the value
the rule compared. A value that cannot be computed is None, and the rules that
need it are reported as not assessed.

`COMPUTED` names every input `derive` returns; the loader checks it against
rules/inputs.yaml both ways.
"""

import math
from datetime import datetime
from typing import NamedTuple

from screening.history import series
from screening.history.series import RunnerHistory
from screening.intake.schema import KM_PER_MILE, RED_FLAGS
from screening.ruleset.model import Instrument, Norms, Ruleset

_UNIT_NOISE_DECIMALS = 9

# The inputs only a runner's stored history can give (see _from_history): without a store a rule reading
# one is never assessed, for any runner.
HISTORY_ONLY = frozenset(
    [
        "derived.fatigue_z",
        "derived.fatigue_baseline_mean",
        "derived.soreness_z",
        "derived.soreness_baseline_mean",
        "derived.soreness_screenings_span_days",
    ]
)

COMPUTED = frozenset(
    [
        "runner.age",
        "runner.prior_calf_strain_weeks_ago",
        "runner.previous_running_injury_12m",
        "training.latest_run",
        "training.longest_run_30d",
        "training.strength_sessions_per_week",
        "wellness.fatigue",
        "wellness.soreness",
        "wellness.soreness_days",
        "wellness.pain_while_running",
        "wellness.exertional_pain_settles_with_rest",
        "heel_raise.left",
        "heel_raise.right",
        "ostrc_o2.participation",
        "ostrc_o2.training_modification",
        "ostrc_o2.performance",
        "ostrc_o2.pain",
        *(f"red_flags.{name}" for name in RED_FLAGS),
        "derived.spike_ratio",
        "derived.week_over_week_ratio",
        "derived.acwr",
        "derived.heel_raise_weakest_tested",
        "derived.heel_raise_deficit",
        "derived.heel_raise_gap",
        "derived.limb_symmetry_index",
        "derived.heel_raise_reference",
        "derived.calf_symptom_level",
        "derived.ostrc_o2_severity",
        "derived.ostrc_o2_substantial",
        "derived.soreness_lasted_days",
        "derived.soreness_screenings_span_days",
        "derived.fatigue_z",
        "derived.fatigue_baseline_mean",
        "derived.soreness_z",
        "derived.soreness_baseline_mean",
    ]
)


def _km(value, factor):
    if value is None or factor == 1.0:
        return value
    return value * factor


def _shown(value):
    return None if value is None else round(value, 2)


def _ratio(numerator, denominator, decimals: int):
    """numerator / denominator as rules compare it, or None when it cannot be computed (or is not finite)."""
    if numerator is None or denominator is None or denominator <= 0:
        return None
    exact = numerator / denominator
    if not math.isfinite(exact):
        return None
    return round(round(exact, _UNIT_NOISE_DECIMALS), decimals)


def _change(ratio):
    return None if ratio is None else round(ratio - 1, 2)


def heel_raise_reference(age: int, sex: str | None, norms: Norms) -> dict:
    """The reference count for this age and sex, and the basis it came from."""
    bands = norms.bands
    band = next((b for b in bands if b.age_from <= age <= b.age_to), None)
    note = ""
    if band is None:
        band = bands[0] if age < bands[0].age_from else bands[-1]
        note = f" (nearest band: no norms for age {age})"
    if sex in ("female", "male"):
        reps, who = getattr(band, sex), sex
    else:
        reps = math.floor((band.female + band.male) / 2 + 0.5)
        who = "sex-neutral (mean of female and male)"
    return {"reps": reps, "basis": f"{norms.basis_label}, {who} {band.age_from}-{band.age_to}{note}"}


def ostrc_o2(answers: dict | None, instrument: Instrument) -> tuple[int | None, bool | None]:
    """(severity 0-100, substantial problem) from the answers' indexes, or (None, None) when not given."""
    if answers is None:
        return None, None
    severity = sum(q.points[answers[q.name]] for q in instrument.questions)
    substantial = any(
        q.substantial_from is not None and answers[q.name] >= q.substantial_from for q in instrument.questions
    )
    return severity, substantial


class Derivation(NamedTuple):
    inputs: dict
    derived: dict
    over_time: dict | None


def derive(
    intake: dict, ruleset: Ruleset, history: RunnerHistory | None = None, now: datetime | None = None
) -> "Derivation":
    """Return (inputs, derived, over_time): every rule input by name, the result's `derived` block, and
    what the result's `history` section adds (baselines, soreness span; None without a history).

    `history` is the runner's earlier stored screenings (None: no store is
    kept, so the inputs read from it are missing), `now` this screening's time
    (naive UTC), required with a history.
    """
    runner, training, wellness = intake["runner"], intake["training"], intake["wellness"]
    left, right = intake["heel_raise"]["left"], intake["heel_raise"]["right"]
    decimals = int(ruleset.parameter("modelling.ratio_decimals"))
    window = int(ruleset.parameter("modelling.acwr_weeks"))
    factor = KM_PER_MILE if training["unit"] == "mi" else 1.0

    weeks = training["weekly_distance"]  # in the entered unit
    merged = None
    if history is not None:
        if now is None:
            raise ValueError("derive needs the screening's time to read a runner's history")
        merged = series.merge_weeks(
            history, now, weeks, training["unit"], most=int(ruleset.parameter("modelling.merged_weeks"))
        )
        weeks = merged.weeks
    over_time, baselines = _from_history(intake, ruleset, history, now)
    latest_week = weeks[-1]
    previous_week = weeks[-2] if len(weeks) >= 2 else None
    chronic = sum(weeks[-window:]) / window if len(weeks) >= window else None
    week_ratio = _ratio(latest_week, previous_week, decimals)
    latest_run, longest_run = training["latest_run"], training["longest_run_30d"]
    spike = _ratio(latest_run, longest_run, decimals)
    if longest_run == 0 and latest_run:
        spike = ruleset.parameter("modelling.no_recent_run_ratio")

    tested = [reps for reps in (left, right) if reps is not None]
    weakest = min(tested) if tested else None
    both = len(tested) == 2
    reference = heel_raise_reference(runner["age"], runner["sex"], ruleset.heel_raise_norms)
    answers = intake.get("ostrc_o2")
    severity, substantial = ostrc_o2(answers, ruleset.instruments["ostrc_o2"])
    pain = wellness["pain_while_running"]

    inputs = {
        "runner.age": runner["age"],
        "runner.prior_calf_strain_weeks_ago": runner["prior_calf_strain_weeks_ago"],
        "runner.previous_running_injury_12m": runner.get("previous_running_injury_12m"),
        "training.latest_run": _km(training["latest_run"], factor),
        "training.longest_run_30d": _km(training["longest_run_30d"], factor),
        "training.strength_sessions_per_week": training["strength_sessions_per_week"],
        "wellness.fatigue": wellness["fatigue"],
        "wellness.soreness": wellness["soreness"],
        "wellness.soreness_days": wellness["soreness_days"],
        "wellness.pain_while_running": pain,
        "wellness.exertional_pain_settles_with_rest": wellness.get("exertional_pain_settles_with_rest"),
        "heel_raise.left": left,
        "heel_raise.right": right,
        **{
            f"ostrc_o2.{q.name}": None if answers is None else answers[q.name]
            for q in ruleset.instruments["ostrc_o2"].questions
        },
        "derived.spike_ratio": spike,
        "derived.week_over_week_ratio": week_ratio,
        "derived.acwr": _ratio(latest_week, chronic, decimals),
        "derived.heel_raise_weakest_tested": weakest,
        "derived.heel_raise_deficit": None if weakest is None else reference["reps"] - weakest,
        "derived.heel_raise_gap": abs(left - right) if both else None,
        "derived.limb_symmetry_index": _ratio(min(tested), max(tested), decimals) if both else None,
        "derived.heel_raise_reference": reference["reps"],
        "derived.calf_symptom_level": max(wellness["soreness"], pain or 0),
        "derived.ostrc_o2_severity": severity,
        "derived.ostrc_o2_substantial": substantial,
        **over_time,
    }
    inputs.update({f"red_flags.{name}": value for name, value in intake["red_flags"].items()})

    derived = {
        "weekly_distance_km": [_shown(_km(week, factor)) for week in weeks],
        "latest_run_km": _shown(inputs["training.latest_run"]),
        "longest_run_30d_km": _shown(inputs["training.longest_run_30d"]),
        "week_over_week_change": _change(week_ratio),
        "acwr": inputs["derived.acwr"],
        "spike_vs_longest_30d": None if longest_run == 0 else _change(spike),
        "limb_symmetry_index": inputs["derived.limb_symmetry_index"],
        "heel_raise_gap": inputs["derived.heel_raise_gap"],
        "heel_raise_reference": reference,
        "entered_unit": training["unit"],
    }
    if severity is not None:
        derived["ostrc_o2_severity"] = severity
    if merged is not None and merged.from_earlier:
        derived["weeks_merged"] = {
            "entered": merged.entered,
            "from_earlier": merged.from_earlier,
            "screenings": merged.screenings,
        }
    seen = None
    if history is not None:
        window = int(ruleset.parameter("modelling.baseline_window_days"))
        seen = {
            "baselines": {"window_days": window, **baselines},
            "soreness_span_days": over_time["derived.soreness_screenings_span_days"],
        }
    return Derivation(inputs, derived, seen)


def _from_history(
    intake: dict, ruleset: Ruleset, history: RunnerHistory | None, now: datetime | None
) -> tuple[dict, dict]:
    """The inputs read from earlier screenings (None where unknown), and the baselines as the result shows them."""
    wellness = intake["wellness"]
    fatigue, soreness, days = wellness["fatigue"], wellness["soreness"], wellness["soreness_days"]
    span = base = None
    if history is not None and now is not None:
        span = series.soreness_span_days(
            history,
            now,
            soreness,
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
        )
    if days is not None:
        lasted = max(days, span or 0)
    elif span is not None and span >= ruleset.parameter("wellness.soreness_days_persistent"):
        lasted = span  # enough on its own; a shorter span says nothing of the days before it
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
    return inputs, shown

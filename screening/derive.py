"""Compute the rules' inputs from a validated intake.

Distances are shown in km (miles converted, rounded to 0.01 for reading) but
never rounded before a rule reads them. Every ratio a rule compares is taken
in the entered unit and rounded to 9 decimals only (so float noise from a unit
can never move a result: km and mi agree, also exactly at a threshold), and
compared as measured: a run 10.45% longer is more than 10% longer. The
result's `derived` block shows ratios to `modelling.ratio_decimals`. A value
that cannot be computed is None, and the rules that need it are reported as
not assessed.

With a runner's history, the facts on record count as entered: a previous DVT
recorded at an earlier screening stays true, and a recorded calf strain is
aged by the time since its date (series.Facts). `sources` says, per input,
where a value came from when it was not simply entered ("recorded on
2026-10-01", "across screenings from 2026-11-20", what calf symptom was
reported), so every face can say it.

`COMPUTED` names every input `derive` returns; the loader checks it against
rules/inputs.yaml both ways.
"""

import math
from datetime import datetime
from typing import NamedTuple

from screening.intake.schema import KM_PER_MILE, RED_FLAGS
from screening.over_time import series
from screening.over_time.inputs import facts_on_record, from_history
from screening.over_time.series import RunnerHistory
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
        "derived.soreness_baseline_max",
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
        "derived.calf_symptom",
        "derived.ostrc_o2_severity",
        "derived.ostrc_o2_substantial",
        "derived.ostrc_o2_time_loss",
        "derived.calf_strain_weeks_ago",
        "derived.soreness_lasted_days",
        "derived.soreness_screenings_span_days",
        "derived.fatigue_z",
        "derived.fatigue_baseline_mean",
        "derived.soreness_z",
        "derived.soreness_baseline_mean",
        "derived.soreness_baseline_max",
    ]
)


def _km(value, factor):
    if value is None or factor == 1.0:
        return value
    return value * factor


def _shown(value):
    return None if value is None else round(value, 2)


def _ratio(numerator, denominator):
    """numerator / denominator as rules compare it, or None when it cannot be computed (or is not finite)."""
    if numerator is None or denominator is None or denominator <= 0:
        return None
    exact = numerator / denominator
    if not math.isfinite(exact):
        return None
    return round(exact, _UNIT_NOISE_DECIMALS)


def _round(ratio, decimals: int):
    return None if ratio is None else round(ratio, decimals)


def _deficit(reference, weakest):
    return None if reference is None or weakest is None else reference - weakest


def _change(ratio, decimals: int):
    return None if ratio is None else round(ratio - 1, decimals)


def heel_raise_reference(age: int, sex: str | None, norms: Norms, from_age: float = 0) -> dict:
    """The reference count for this age and sex, and the basis it came from (reps None under `from_age`)."""
    if age < from_age:
        return {
            "reps": None,
            "basis": f"no reference under {from_age:g}: the norms start at {norms.bands[0].age_from} years, and an "
            "adult band would overstate an adolescent's deficit",
        }
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


class Ostrc(NamedTuple):
    severity: int | None
    substantial: bool | None
    time_loss: bool | None
    problem: bool  # any answer but the first: a calf problem in the past 7 days


def ostrc_o2(answers: dict | None, instrument: Instrument) -> Ostrc:
    """Severity 0-100, substantial problem, time loss and any problem from the answers' indexes (None: not given)."""
    if answers is None:
        return Ostrc(None, None, None, False)
    questions = instrument.questions

    def from_(attribute: str) -> bool:
        return any(getattr(q, attribute) is not None and answers[q.name] >= getattr(q, attribute) for q in questions)

    return Ostrc(
        sum(q.points[answers[q.name]] for q in questions),
        from_("substantial_from"),
        from_("time_loss_from"),
        any(answers[q.name] > 0 for q in questions),
    )


def calf_symptoms(wellness: dict, ostrc: Ostrc) -> list[str]:
    """Every calf symptom the intake reports, in words (empty: none reported)."""
    found = []
    if wellness["soreness"] >= 1:
        found.append(f"calf soreness {wellness['soreness']}/10")
    if (wellness["pain_while_running"] or 0) >= 1:
        found.append(f"calf pain while running {wellness['pain_while_running']}/10")
    if wellness.get("exertional_pain_settles_with_rest"):
        found.append("calf pain that comes on during runs")
    if ostrc.problem:
        found.append(f"a calf problem on the OSTRC-O2 (severity {ostrc.severity}/100)")
    return found


class Derivation(NamedTuple):
    inputs: dict
    derived: dict
    over_time: dict | None
    sources: dict  # input name -> where its value came from, in words, when it was not simply entered


def derive(
    intake: dict, ruleset: Ruleset, history: RunnerHistory | None = None, now: datetime | None = None
) -> "Derivation":
    """Return (inputs, derived, over_time, sources): every rule input by name, the result's `derived` block,
    what the result's `history` section adds (baselines, soreness span, facts on record; None without a
    history), and where values not simply entered came from.

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
    sources: dict[str, str] = {}
    over_time, baselines = from_history(intake, ruleset, history, now, sources)
    latest_week = weeks[-1]
    previous_week = weeks[-2] if len(weeks) >= 2 else None
    chronic = sum(weeks[-window:]) / window if len(weeks) >= window else None
    week_ratio = _ratio(latest_week, previous_week)
    latest_run, longest_run = training["latest_run"], training["longest_run_30d"]
    spike = _ratio(latest_run, longest_run)
    if longest_run == 0 and latest_run:
        spike = ruleset.parameter("modelling.no_recent_run_ratio")

    tested = [reps for reps in (left, right) if reps is not None]
    weakest = min(tested) if tested else None
    both = len(tested) == 2
    reference = heel_raise_reference(
        runner["age"], runner["sex"], ruleset.heel_raise_norms, ruleset.parameter("strength.reference_from_age")
    )
    answers = intake.get("ostrc_o2")
    ostrc = ostrc_o2(answers, ruleset.instruments["ostrc_o2"])
    symptoms = calf_symptoms(wellness, ostrc)
    sources["derived.calf_symptom"] = f"reported: {', '.join(symptoms)}" if symptoms else "none reported"
    if ostrc.severity is not None:  # what the OSTRC-O2 rules read, said with the severity it adds up to
        for name in ("derived.ostrc_o2_substantial", "derived.ostrc_o2_time_loss", "ostrc_o2.pain"):
            sources[name] = f"OSTRC-O2 severity {ostrc.severity}/100"
    lsi = _ratio(min(tested), max(tested)) if both else None
    acwr = _ratio(latest_week, chronic)
    facts = facts_on_record(intake, history, now, sources)

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
        "wellness.pain_while_running": wellness["pain_while_running"],
        "wellness.exertional_pain_settles_with_rest": wellness.get("exertional_pain_settles_with_rest"),
        "heel_raise.left": left,
        "heel_raise.right": right,
        **{
            f"ostrc_o2.{q.name}": None if answers is None else answers[q.name]
            for q in ruleset.instruments["ostrc_o2"].questions
        },
        "derived.spike_ratio": spike,
        "derived.week_over_week_ratio": week_ratio,
        "derived.acwr": acwr,
        "derived.heel_raise_weakest_tested": weakest,
        "derived.heel_raise_deficit": None
        if weakest is None or reference["reps"] is None
        else reference["reps"] - weakest,
        "derived.heel_raise_gap": abs(left - right) if both else None,
        "derived.limb_symmetry_index": lsi,
        "derived.heel_raise_reference": reference["reps"],
        "derived.calf_symptom": bool(symptoms),
        "derived.ostrc_o2_severity": ostrc.severity,
        "derived.ostrc_o2_substantial": ostrc.substantial,
        "derived.ostrc_o2_time_loss": ostrc.time_loss,
        "derived.calf_strain_weeks_ago": facts.calf_strain_weeks_ago,
        **over_time,
    }
    inputs.update({f"red_flags.{name}": value for name, value in intake["red_flags"].items()})
    inputs["red_flags.previous_dvt"] = facts.previous_dvt

    derived = {
        "weekly_distance_km": [_shown(_km(week, factor)) for week in weeks],
        "latest_run_km": _shown(inputs["training.latest_run"]),
        "longest_run_30d_km": _shown(inputs["training.longest_run_30d"]),
        "week_over_week_change": _change(week_ratio, decimals),
        "acwr": _round(acwr, decimals),
        "spike_vs_longest_30d": None if longest_run == 0 else _change(spike, decimals),
        "limb_symmetry_index": _round(lsi, decimals),
        "heel_raise_gap": inputs["derived.heel_raise_gap"],
        "heel_raise_reference": reference,
        "entered_unit": training["unit"],
    }
    if ostrc.severity is not None:
        derived["ostrc_o2_severity"] = ostrc.severity
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
            "on_record": facts.on_record,
        }
    return Derivation(inputs, derived, seen, sources)

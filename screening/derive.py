"""Compute the rules' inputs from a validated intake.

Distances are converted to km but not rounded: the rules compare ratios of
distances (latest run > 1.10 x longest run), and rounding miles-converted km
would move those boundaries (11 mi against 10 mi would count as more than 10%
longer). The `derived` block shows km rounded to 0.01 for reading. Ratios the
rules read directly (ACWR, limb symmetry index) are rounded to 2 decimals
*before* the rules read them, so the value a clinician sees is exactly the
value the rule compared. A value that cannot be computed is None, and the rules
that need it are reported as not assessed.
"""

import math

from screening.intake.schema import KM_PER_MILE
from screening.ruleset.model import Norms


def _km(value, factor):
    if value is None or factor == 1.0:
        return value
    return value * factor


def _shown(value):
    return None if value is None else round(value, 2)


def _finite(value):
    """None for a change that overflows to infinity (a vanishingly small distance, e.g. 5e-324 km):
    JSON has no infinity, and the contract's numbers are finite."""
    return value if math.isfinite(value) else None


def _ratio(numerator, denominator):
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return round(numerator / denominator, 2)


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


def derive(intake: dict, norms: Norms) -> tuple[dict, dict]:
    """Return (inputs, derived): every rule input by name, and the result's `derived` block."""
    runner, training, wellness = intake["runner"], intake["training"], intake["wellness"]
    left, right = intake["heel_raise"]["left"], intake["heel_raise"]["right"]
    factor = KM_PER_MILE if training["unit"] == "mi" else 1.0

    weekly_km = [_km(week, factor) for week in training["weekly_distance"]]
    latest_week = weekly_km[-1]
    previous_week = weekly_km[-2] if len(weekly_km) >= 2 else None
    chronic = sum(weekly_km[-4:]) / 4 if len(weekly_km) >= 4 else None
    latest_run = _km(training["latest_run"], factor)
    longest_run = _km(training["longest_run_30d"], factor)

    tested = left is not None and right is not None
    weaker = min(left, right) if tested else None
    stronger = max(left, right) if tested else None
    reference = heel_raise_reference(runner["age"], runner["sex"], norms)

    inputs = {
        "runner.age": runner["age"],
        "runner.prior_calf_strain_weeks_ago": runner["prior_calf_strain_weeks_ago"],
        "training.latest_run": latest_run,
        "training.longest_run_30d": longest_run,
        "training.strength_sessions_per_week": training["strength_sessions_per_week"],
        "wellness.fatigue": wellness["fatigue"],
        "wellness.soreness": wellness["soreness"],
        "wellness.soreness_days": wellness["soreness_days"],
        "wellness.pain_while_running": wellness["pain_while_running"],
        "heel_raise.left": left,
        "heel_raise.right": right,
        "derived.latest_week_km": latest_week,
        "derived.previous_week_km": previous_week,
        "derived.acwr": _ratio(latest_week, chronic),
        "derived.heel_raise_weaker_leg": weaker,
        "derived.heel_raise_gap": None if stronger is None or weaker is None else stronger - weaker,
        "derived.limb_symmetry_index": _ratio(weaker, stronger),
        "derived.heel_raise_reference": reference["reps"],
    }
    inputs.update({f"red_flags.{name}": value for name, value in intake["red_flags"].items()})

    derived = {
        "weekly_distance_km": [_shown(week) for week in weekly_km],
        "latest_run_km": _shown(latest_run),
        "longest_run_30d_km": _shown(longest_run),
        "week_over_week_change": None
        if previous_week is None or previous_week <= 0
        else _finite(round((latest_week - previous_week) / previous_week, 2)),
        "acwr": inputs["derived.acwr"],
        "spike_vs_longest_30d": None
        if latest_run is None or not longest_run
        else _finite(round(latest_run / longest_run - 1, 2)),
        "limb_symmetry_index": inputs["derived.limb_symmetry_index"],
        "heel_raise_gap": inputs["derived.heel_raise_gap"],
        "heel_raise_reference": reference,
    }
    return inputs, derived

"""A result's sections in words, for every face: its risk (band, multiple, scale), derived values and history.

The risk is said once for the text note and the HTML note alike; the derived
values and the history one phrase each: ratios as percentages, distances in
the entered unit and in km, the change since the previous screening, the
personal baselines, soreness seen across screenings and the facts kept on
record (a previous DVT, a calf strain's date).
"""

from screening.intake.schema import KM_PER_MILE
from screening.result.values import number, percent


def risk_multiple_text(risk: dict) -> str:
    """Where the score sits: its risk multiple, said in words."""
    return f"about {risk['relative_risk']['value']:.1f}x the risk of a runner with none of these factors"


def scale_text(risk: dict) -> str:
    """The band limits in points and as risk multiples, with the independence caveat."""
    bands = risk["scale"]["bands"]
    parts = []
    for index, band in enumerate(bands):
        upper = bands[index + 1]["relative_risk_from"] if index + 1 < len(bands) else None
        multiple = (
            f"under {upper:g}x"
            if index == 0
            else f"{band['relative_risk_from']:g}-{upper:g}x"
            if upper
            else f"{band['relative_risk_from']:g}x and over"
        )
        points = f"{band['from']}-{band['to']}" if upper else f"{band['from']}+"
        parts.append(f"{band['band']} {points} ({multiple})")
    per = risk["scale"]["points_per_doubling"]
    return f"Bands: {', '.join(parts)}; every {per} points double the multiple, assuming independent effects."


def band_text(risk: dict) -> str:
    """The band in words: the score's band, or "symptomatic" with where the score itself sits."""
    if risk["band"] == risk.get("score_band", risk["band"]):
        return f"{risk['band'].upper()} (score {risk['score']}, {risk_multiple_text(risk)})"
    return (
        f"{risk['band'].upper()}: symptoms of a present injury, assess before any risk score applies "
        f"(score {risk['score']}, {risk['score_band']} on the score's scale, {risk_multiple_text(risk)})"
    )


def derived_in_words(derived: dict) -> list[str]:
    """The derived values a reader needs, ratios as percentages, one phrase each; a missing one says so."""
    weeks_km = derived["weekly_distance_km"]
    in_km = f"{', '.join(number(v) for v in weeks_km)} km"
    if derived.get("entered_unit") == "mi":
        in_mi = ", ".join(f"{v / KM_PER_MILE:.1f}" for v in weeks_km)
        parts = [f"weekly distance {in_mi} mi ({in_km}, oldest first)"]
    else:
        parts = [f"weekly distance {in_km} (oldest first)"]
    phrases = (
        ("week_over_week_change", "latest week", lambda v: f"{percent(v, signed=True)} on the week before"),
        ("spike_vs_longest_30d", "latest run", lambda v: f"{percent(v, signed=True)} on the longest of 30 days"),
        ("acwr", "acute:chronic workload ratio", lambda v: f"{v:.2f}"),
        ("limb_symmetry_index", "limb symmetry", percent),
    )
    for key, name, say in phrases:
        value = derived.get(key)
        parts.append(f"{name} {say(value)}" if value is not None else f"{name}: not computed")
    if derived.get("ostrc_o2_severity") is not None:
        parts.append(f"OSTRC-O2 severity {derived['ostrc_o2_severity']}/100")
    reference = derived["heel_raise_reference"]
    if reference["reps"] is None:
        parts.append(f"heel-raise reference: none ({reference['basis']})")
    else:
        parts.append(f"heel-raise reference {number(reference['reps'])} reps ({reference['basis']})")
    merged = derived.get("weeks_merged")
    if merged:
        weeks = "week" if merged["from_earlier"] == 1 else "weeks"
        parts.insert(
            1,
            f"the oldest {merged['from_earlier']} {weeks} of that distance come from earlier screenings "
            f"({merged['entered']} entered this time)",
        )
    return parts


def history_in_words(history: dict | None, change: bool = True) -> list[str]:
    """The result's `history` section as phrases: the change since last time (unless `change` is False: a
    face that shows it its own way), and the personal baselines."""
    if history is None:
        return []
    previous = history["previous"]
    if not change:
        parts = []
    elif previous is None:
        parts = ["first stored screening of this runner: nothing to compare with yet"]
    else:
        score_change = history["score_change"]
        band = {"up": "band up", "down": "band down", "same": "band unchanged"}.get(history["band_change"] or "", "")
        parts = [
            f"since the previous screening ({previous['screened_at'][:10]}, score {previous['score']}, "
            f"{previous['band']}): score {score_change:+d}{', ' + band if band else ''}"
        ]
        if history["newly_fired"]:
            parts.append(f"newly fired: {', '.join(history['newly_fired'])}")
        if history["cleared"]:
            parts.append(f"cleared: {', '.join(history['cleared'])}")
    baselines = history["baselines"]
    for name, word in (("fatigue", "fatigue"), ("soreness", "calf soreness")):
        found = baselines[name]
        if found is None:
            continue  # too few earlier screenings: "not assessed" says what the rule needs
        parts.append(
            f"{word} against the runner's own baseline: z {found['z']:+.2f} "
            f"(mean {number(found['mean'])}, SD {number(found['sd'])}, {found['screenings']} screenings "
            f"in the last {baselines['window_days']} days)"
        )
    on_record = history.get("on_record") or {}
    dvt, strain = on_record.get("previous_dvt"), on_record.get("calf_strain")
    if dvt:
        corrected = "; corrected now: entered in error" if dvt["corrected"] else ""
        parts.append(f"previous DVT on record since {dvt['recorded_at'][:10]}{corrected}")
    if strain:
        corrected = "; corrected now: entered in error" if strain["corrected"] else ""
        parts.append(
            f"calf strain on record: on {strain['date']} ({strain['weeks_ago']} weeks before this screening), "
            f"recorded {strain['recorded_at'][:10]}{corrected}"
        )
    span = history["soreness_span_days"]
    if span == 0:
        parts.append("calf soreness also reported on earlier screenings the same day")
    elif span is not None:
        parts.append(f"calf soreness reported on consecutive screenings across {span} day{'s' if span > 1 else ''}")
    return parts

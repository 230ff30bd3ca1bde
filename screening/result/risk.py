"""The risk block of a result: the score on the points scale, its band, its risk multiple and the scale.

The score is the sum of the fired rules' points, with each capped group
(`scoring.caps`) adding at most its cap, kept within [minimum, maximum]. A
score S stands for a risk multiple of B^S (B = 2^(1/points_per_doubling)),
which assumes the effects are independent: every result says so.

The band is the score's (`score_band`), except when a rule marked
`present_injury` fired: the band is then `symptomatic` (a band of its own,
not a risk level), and `symptoms` names those rules.
"""

from screening.ruleset.model import SYMPTOMATIC, Rule, Ruleset


def band_for(score: int, ruleset: Ruleset) -> str:
    band = ruleset.bands[0].band
    for candidate in ruleset.bands:
        if score >= candidate.start:
            band = candidate.band
    return band


def capped_points(rules: list[Rule], ruleset: Ruleset, points: list[int] | None = None) -> tuple[int, list[dict]]:
    """(total points, the caps that applied) for these fired rules (`points`: each one's, if not its own)."""
    by_group: dict[str, int] = {}
    for rule, each in zip(rules, points if points is not None else [r.points for r in rules], strict=True):
        by_group[rule.group] = by_group.get(rule.group, 0) + each
    applied = []
    total = 0
    for group, carried in by_group.items():
        cap = ruleset.caps.get(group)
        if cap is not None and carried > cap:
            applied.append({"group": group, "points": carried, "counted": cap})
            carried = cap
        total += carried
    return total, applied


def risk_scale(ruleset: Ruleset) -> dict:
    """The band limits in points and as risk multiples, shared by every result of a ruleset."""
    bands = []
    for index, band in enumerate(ruleset.bands):
        upper = ruleset.bands[index + 1].start - 1 if index + 1 < len(ruleset.bands) else ruleset.score_max
        bands.append(
            {
                "band": band.band,
                "from": band.start,
                "to": upper,
                "relative_risk_from": band.relative_risk,
            }
        )
    return {
        "minimum": ruleset.score_min,
        "maximum": ruleset.score_max,
        "points_per_doubling": ruleset.points_per_doubling,
        "bands": bands,
        "method": (
            f"Points from effect sizes (Sullivan 2004): a rule with a relative effect scores "
            f"round(ln(effect) / ln B), B = 2^(1/{ruleset.points_per_doubling}); every "
            f"{ruleset.points_per_doubling} points double the risk multiple."
        ),
        "independence": ruleset.independence_note,
        **({"symptomatic": ruleset.symptomatic.description} if ruleset.symptomatic else {}),
    }


def risk(rules: list[Rule], points: list[int], ruleset: Ruleset, scale: dict) -> dict:
    """The risk block for these fired rules, `points` each (a tapering rule's for this runner)."""
    total, caps = capped_points(rules, ruleset, points)
    score = max(ruleset.score_min, min(ruleset.score_max, total))
    score_band = band_for(score, ruleset)
    symptoms = [rule.id for rule in rules if rule.present_injury]
    block = {
        "score": score,
        "band": SYMPTOMATIC if symptoms else score_band,
        "score_band": score_band,
        "relative_risk": {
            "value": round(ruleset.relative_risk(score), 2),
            "basis": (
                f"about {ruleset.relative_risk(score):.1f}x the risk of a runner with none of these factors: "
                f"B^score with B = 2^(1/{ruleset.points_per_doubling}), assuming the effects are independent"
            ),
        },
        "scale": scale,
    }
    if caps:
        block["caps"] = caps
    if symptoms:
        block["symptoms"] = symptoms
    return block

"""The risk block of a result: the score on the points scale, its band, its risk multiple and the scale.

The score is the sum of the fired rules' points, with each capped group
(`scoring.caps`) adding at most its cap, kept within [minimum, maximum]. A
score S stands for a risk multiple of B^S (B = 2^(1/points_per_doubling)),
which assumes the effects are independent: every result says so.
"""

from screening.ruleset.model import Rule, Ruleset


def band_for(score: int, ruleset: Ruleset) -> str:
    band = ruleset.bands[0].band
    for candidate in ruleset.bands:
        if score >= candidate.start:
            band = candidate.band
    return band


def capped_points(rules: list[Rule], ruleset: Ruleset) -> tuple[int, list[dict]]:
    """(total points, the caps that applied) for these fired rules."""
    by_group: dict[str, int] = {}
    for rule in rules:
        by_group[rule.group] = by_group.get(rule.group, 0) + rule.points
    applied = []
    total = 0
    for group, points in by_group.items():
        cap = ruleset.caps.get(group)
        if cap is not None and points > cap:
            applied.append({"group": group, "points": points, "counted": cap})
            points = cap
        total += points
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
    }


def risk(rules: list[Rule], ruleset: Ruleset, scale: dict) -> dict:
    points, caps = capped_points(rules, ruleset)
    score = max(ruleset.score_min, min(ruleset.score_max, points))
    block = {
        "score": score,
        "band": band_for(score, ruleset),
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
    return block

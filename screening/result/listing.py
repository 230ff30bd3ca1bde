"""How a result's points add up, for the notes: the rules that added points, the caps, and the rest.

    listing = points_listing(result)
    listing.scored      fired rules with points, in ruleset order
    listing.caps        each capped group: its rules' points, what it counts, and the difference
    listing.clamp       points taken off (or added) to keep the score within the scale, else 0
    listing.unscored    fired rules that add no points: they refer, or are information

The listed points, less each cap's difference and the clamp, add up to the
score, so a clinician can check the sum on the page. Read from the result
alone (its explanation and risk.caps), so every face lists the same.
"""

from typing import NamedTuple

from screening.ruleset.model import format_number


class Cap(NamedTuple):
    group: str
    points: int  # what the group's fired rules carry
    counted: int  # what the group adds to the score

    @property
    def less(self) -> int:
        return self.points - self.counted


class PointsListing(NamedTuple):
    scored: list[dict]
    caps: list[Cap]
    clamp: int
    unscored: list[dict]
    score: int

    @property
    def information(self) -> list[dict]:
        """The fired rules that neither add points nor refer."""
        return [entry for entry in self.unscored if entry["referral"] == "none"]


def points_listing(result: dict) -> PointsListing:
    explanation = result["explanation"]
    scored = [entry for entry in explanation if entry["points"] != 0]
    unscored = [entry for entry in explanation if entry["points"] == 0]
    caps = [Cap(cap["group"], cap["points"], cap["counted"]) for cap in result["risk"].get("caps", [])]
    counted = sum(entry["points"] for entry in scored) - sum(cap.less for cap in caps)
    score = result["risk"]["score"]
    return PointsListing(scored, caps, counted - score, unscored, score)


def points_origin(entry: dict) -> str:
    """Where a rule's points come from, said once: the arithmetic on its effect, or "design choice" (a taper:
    its ends and where this runner sits; why it tapers is in the rulebook)."""
    basis = entry["points_basis"]
    effect = entry.get("effect")
    if effect is None:
        return basis
    taper = entry.get("taper")
    if taper is not None:
        start, end = taper["from"], taper["to"]
        return (
            f"from {effect['measure']} {effect['value']:g}: {start['points']} at {start['value']:g}, tapering "
            f"linearly to {end['points']} at {end['value']:g} (design choice); {entry['points']} here"
        )
    # The basis opens with the effect as its evidence line already says it ("HR 1.93 (95% CI ...), ...: ").
    head, _, arithmetic = basis.partition(": round(")
    return f"from {effect['measure']} {effect['value']:g}: round({arithmetic}" if arithmetic else basis


def design_choice_cutoffs(entry: dict) -> list[str]:
    """Each threshold of the rule that is a design choice, said as such ("7 (wellness.fatigue_high)")."""
    return [
        f"{format_number(threshold['value'], threshold['unit'])} ({name})"
        for name, threshold in entry["thresholds"].items()
        if threshold["basis"] == "design choice"
    ]

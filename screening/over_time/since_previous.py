"""The `history` section of a stored result: what changed since the runner's previous screening.

    {"previous": {"screening_id": ..., "screened_at": ..., "score": 18, "band": "moderate", "urgency": null,
                  "ruleset_version": "2.0.0"},
     "score_change": 11, "band_change": "up", "newly_fired": ["wellness.fatigue_high"], "cleared": []}

`previous` is null (and the changes with it) for a runner's first stored
screening: nothing is guessed. The comparison is of the two results as they
were given; when `ruleset_version` differs, rules may have been renamed or
rescored between them, which the section says by showing both versions.
"""

from screening.ruleset.model import BANDS
from screening.timestamps import format_time


def history_section(previous, result: dict) -> dict:
    """Compare `result` with the runner's previous stored screening (a row, or None)."""
    if previous is None:
        return {"previous": None, "score_change": None, "band_change": None, "newly_fired": [], "cleared": []}
    fired = [entry["rule"] for entry in result["explanation"] if entry["fired"]]
    before = list(previous.fired)
    band, was = result["risk"]["band"], previous.band
    change = BANDS.index(band) - BANDS.index(was) if band in BANDS and was in BANDS else None
    return {
        "previous": {
            "screening_id": previous.screening_id,
            "screened_at": format_time(previous.screened_at),
            "score": previous.score,
            "band": previous.band,
            "urgency": previous.urgency,
            "ruleset_version": previous.ruleset_version,
        },
        "score_change": result["risk"]["score"] - previous.score,
        "band_change": None if change is None else ("up" if change > 0 else "down" if change < 0 else "same"),
        "newly_fired": [rule for rule in fired if rule not in before],
        "cleared": [rule for rule in before if rule not in fired],
    }

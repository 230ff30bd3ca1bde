"""The risk scale as a picture: where the score sits among the band limits, for the note's SVG.

Positions are in units of a 400-wide drawing, drawn about as wide on a phone
and in print, so a 13-unit label stays readable (at least 7 pt on paper). The
template draws one rectangle per band with the band's name on it (inside when
it fits, else just under the segment's start: greyscale-safe), a marker at the
score and the band limits with their risk multiples, from the result's own
`risk.scale`, so the picture and the words ("score 49: about 30x ...") cannot
disagree.
"""

WIDTH = 400
FONT = 13  # drawing units of a label
CHAR = 0.62 * FONT  # a label's estimated width per character (a sans-serif's average, rounded up)
PAD = 4


def _name_place(name: str, x: float, width: float, marker: float) -> dict:
    """Where a band's name goes: centred inside its segment when it fits, on the side of the score's marker
    with more room when the marker would cross it; else under the segment's start."""
    wide = len(name) * CHAR + 2 * PAD
    if wide > width:
        return {"x": round(x + PAD, 1), "inside": False}
    centre = x + width / 2
    if abs(centre - marker) < wide / 2 + PAD:
        left, right = marker - x, x + width - marker
        if max(left, right) >= wide + PAD:
            centre = (x + marker) / 2 if left > right else (marker + x + width) / 2
    return {"x": round(centre, 1), "inside": True}


def scale_bar(risk: dict) -> dict:
    """Band segments, their names, the score's marker and the limit labels of `risk.scale`, in drawing units."""
    scale = risk["scale"]
    low, high = scale["minimum"], scale["maximum"]

    def x(points: float) -> float:
        return round(WIDTH * (min(max(points, low), high) - low) / (high - low), 1)

    bands = scale["bands"]
    marker = x(risk["score"])
    segments = []
    for index, band in enumerate(bands):
        end = bands[index + 1]["from"] if index + 1 < len(bands) else high
        start, width = x(band["from"]), round(x(end) - x(band["from"]), 1)
        segments.append(
            {
                "band": band["band"],
                "x": start,
                "width": width,
                "name": _name_place(band["band"], start, width, marker),
                "from": band["from"],
                "to": band["to"],
                "multiple": band["relative_risk_from"],
                "current": band["band"] == risk.get("score_band", risk["band"]),
            }
        )
    return {
        "width": WIDTH,
        "height": 104 if any(not s["name"]["inside"] for s in segments) else 86,
        "segments": segments,
        "score": risk["score"],
        "marker": marker,
        "minimum": low,
        "maximum": high,
        "multiple": risk["relative_risk"]["value"],
    }

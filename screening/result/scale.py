"""The risk scale as a picture: where the score sits among the band limits, for the note's SVG.

Positions are in units of a 1000-wide drawing; the template draws one
rectangle per band, a marker at the score and the band limits with their risk
multiples, from the result's own `risk.scale`, so the picture and the words
("score 49: about 30x ...") cannot disagree.
"""

WIDTH = 1000


def scale_bar(risk: dict) -> dict:
    """Band segments, the score's marker and the limit labels of `risk.scale`, in drawing units."""
    scale = risk["scale"]
    low, high = scale["minimum"], scale["maximum"]

    def x(points: float) -> float:
        return round(WIDTH * (min(max(points, low), high) - low) / (high - low), 1)

    bands = scale["bands"]
    segments = []
    for index, band in enumerate(bands):
        end = bands[index + 1]["from"] if index + 1 < len(bands) else high
        segments.append(
            {
                "band": band["band"],
                "x": x(band["from"]),
                "width": round(x(end) - x(band["from"]), 1),
                "from": band["from"],
                "to": band["to"],
                "multiple": band["relative_risk_from"],
                "current": band["band"] == risk.get("score_band", risk["band"]),
            }
        )
    return {
        "width": WIDTH,
        "segments": segments,
        "score": risk["score"],
        "marker": x(risk["score"]),
        "minimum": low,
        "maximum": high,
        "multiple": risk["relative_risk"]["value"],
    }

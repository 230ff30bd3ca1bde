"""A runner's screenings as a dated trend, drawn server-side as two small charts of one SVG (no script needed).

    chart = trend_chart(points, bands=[("low", 0), ("moderate", 10), ("high", 20)], maximum=100)

The score against the band colours on its own axis (0 to a top that leaves
room above the highest score), with each band's name beside its colour
(greyscale-safe); calf soreness (0-10) below it on its own axis; the dates
on the x axis, placed by time (oldest on the left) and thinned so no two
overlap, the newest always labelled; the point `current` marked. Every
position is in drawing units of a 364-wide picture, drawn about as wide on a
phone and in print, so a 12-unit label reads there too.
"""

from datetime import datetime

WIDTH, HEIGHT = 364, 230
LEFT, RIGHT = 30, 292  # the plots' x range: tick labels on the left, band names on the right
SCORE_TOP, SCORE_BOTTOM = 22, 102
SORE_TOP, SORE_BOTTOM = 142, 190
FONT = 12
CHAR = 0.6 * FONT  # a label's estimated width per character


def _when(point: dict) -> float:
    return datetime.fromisoformat(point["at"].replace("Z", "+00:00")).timestamp()


def _xs(points: list[dict]) -> list[float]:
    """Each point's x: by time, or evenly when they are all of one moment."""
    times = [_when(p) for p in points]
    span = max(times) - min(times)
    if len(points) == 1:
        return [(LEFT + RIGHT) / 2]
    if span == 0:
        return [LEFT + n * (RIGHT - LEFT) / (len(points) - 1) for n in range(len(points))]
    return [LEFT + (t - min(times)) * (RIGHT - LEFT) / span for t in times]


def _date_labels(points: list[dict], xs: list[float]) -> list[dict]:
    """The dates shown under the axis: the newest first, then the oldest, then any that fit between."""
    wide = len(points[0]["date"]) * CHAR
    chosen: list[dict] = []
    for index in [len(points) - 1, 0, *range(len(points) - 2, 0, -1)]:
        x = min(max(xs[index], wide / 2 + 1), WIDTH - wide / 2 - 1)
        if all(abs(x - other["x"]) >= wide + 6 for other in chosen):
            chosen.append({"x": round(x, 1), "text": points[index]["date"], "current": points[index].get("current")})
    return sorted(chosen, key=lambda label: label["x"])


def _spread(ys: list[float], gap: float, low: float, high: float) -> list[float]:
    """Label positions as near their wish as possible, at least `gap` apart, within [low, high] (top to bottom)."""
    placed: list[float] = []
    for y in sorted(ys):
        placed.append(max(y, placed[-1] + gap) if placed else max(y, low))
    overshoot = placed[-1] - high if placed else 0
    if overshoot > 0:
        placed = [y - overshoot for y in placed]
    order = sorted(range(len(ys)), key=lambda n: ys[n])
    out = [0.0] * len(ys)
    for rank, n in enumerate(order):
        out[n] = placed[rank]
    return out


def _line(xs: list[float], values: list, y) -> list[str]:
    """Polyline point lists, one per run of known values (a missing one leaves a gap)."""
    runs: list[list[str]] = [[]]
    for x, value in zip(xs, values, strict=True):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(f"{x:.1f},{y(value):.1f}")
    return [" ".join(run) for run in runs if run]


def trend_chart(points: list[dict], bands: list[tuple[str, int]], maximum: int) -> dict:
    """The drawing of `points` (dicts with at, date, score, soreness and an optional `current` mark)."""
    xs = _xs(points)
    scores = [p["score"] for p in points]
    top = min(maximum, max(40, (max(scores) // 10 + 1) * 10 + 10))

    def score_y(value: float) -> float:
        return SCORE_BOTTOM - min(value, top) * (SCORE_BOTTOM - SCORE_TOP) / top

    def sore_y(value: float) -> float:
        return SORE_BOTTOM - value * (SORE_BOTTOM - SORE_TOP) / 10

    regions: list[dict] = []
    for index, (name, start) in enumerate(bands):
        if start >= top:
            break
        end = min(bands[index + 1][1], top) if index + 1 < len(bands) else top
        regions.append({"band": name, "y": round(score_y(end), 1), "height": round(score_y(start) - score_y(end), 1)})
    wishes = [float(r["y"]) + float(r["height"]) / 2 + FONT / 3 for r in regions]
    name_ys = _spread(wishes, FONT + 1, SCORE_TOP + FONT, SCORE_BOTTOM)
    for region, y in zip(regions, name_ys, strict=True):
        region["label_y"] = round(y, 1)
    ticks = [0, top]  # and each band's start that leaves room for its label
    for _, start in bands:
        if 0 < start < top and all(abs(score_y(start) - score_y(t)) >= FONT for t in ticks):
            ticks.append(start)
    ticks.sort()
    marks = [
        {
            "x": round(x, 1),
            "score_y": round(score_y(p["score"]), 1),
            "soreness_y": None if p["soreness"] is None else round(sore_y(p["soreness"]), 1),
            "current": bool(p.get("current")),
        }
        for x, p in zip(xs, points, strict=True)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": RIGHT,
        "score": {"top": SCORE_TOP, "bottom": SCORE_BOTTOM, "max": top, "line": _line(xs, scores, score_y)},
        "soreness": {
            "top": SORE_TOP,
            "bottom": SORE_BOTTOM,
            "line": _line(xs, [p["soreness"] for p in points], sore_y),
        },
        "bands": regions,
        "score_ticks": [{"value": v, "y": round(score_y(v), 1)} for v in ticks],
        "soreness_ticks": [{"value": v, "y": round(sore_y(v), 1)} for v in (0, 5, 10)],
        "marks": marks,
        "dates": _date_labels(points, xs),
    }

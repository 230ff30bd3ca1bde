"""The clinic result page's "Previous screenings": the runner's stored screenings and a small trend.

The trend is an inline SVG drawn from coordinates computed here (no script,
no external asset, nothing the page's CSP would refuse): score (0-100) as a
solid line, soreness (0-10, drawn x10) as a dashed one, oldest on the left.
"""

from api.operations.store_binding import store
from screening.timestamps import format_time

SHOWN = 10
WIDTH, HEIGHT, PAD = 240, 80, 4


def _line(values: list[int | None], scale: float) -> str:
    """SVG polyline points for the values given (a missing one leaves no point)."""
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    return " ".join(
        f"{PAD + n * step:.1f},{HEIGHT - PAD - value * scale * (HEIGHT - 2 * PAD) / 100:.1f}"
        for n, value in enumerate(values)
        if value is not None
    )


def previous_screenings(runner_id: str, team: str = "") -> dict | None:
    """The runner's latest stored screenings for the page, or None when the service keeps no history."""
    history = store()
    if history is None:
        return None
    rows = history.trend(team, runner_id, limit=SHOWN)
    points = [
        {
            "date": format_time(row.screened_at)[:10],
            "score": row.score,
            "band": row.band,
            "urgency": row.urgency,
            "soreness": row.soreness,
        }
        for row in rows
    ]
    summary = ", ".join(f"{p['date']}: score {p['score']}" for p in points)
    return {
        "points": points,
        "width": WIDTH,
        "height": HEIGHT,
        "score_line": _line([p["score"] for p in points], 1.0),
        "soreness_line": _line([p["soreness"] for p in points], 10.0),
        "summary": f"Score over the last {len(points)} stored screenings: {summary}",
    }

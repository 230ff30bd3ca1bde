"""The clinic result page's "Previous screenings" and the runner page: the stored screenings and their trend.

The trend is an inline SVG drawn from coordinates computed in trend_chart.py
(no script, no external asset, nothing the page's CSP would refuse): the
score against the band colours and the calf soreness (0-10), each on its own
axis, by date; on the note, this screening is the last point, marked.
"""

from api.operations.store_binding import store
from api.pages.trend_chart import trend_chart
from screening.timestamps import format_time

SHOWN = 10


def previous_screenings(runner_id: str, team: str = "") -> dict | None:
    """The runner's latest stored screenings for the page, or None when the service keeps no history."""
    history = store()
    if history is None:
        return None
    rows = history.trend(team, runner_id, limit=SHOWN)
    points = [
        {
            "at": format_time(row.screened_at),
            "date": format_time(row.screened_at)[:10],
            "score": row.score,
            "band": row.band,
            "urgency": row.urgency,
            "soreness": row.soreness,
        }
        for row in rows
    ]
    return {"points": points, "shown": points}


def this_screening(result: dict, intake: dict) -> dict:
    """The screening just made as a trend point, marked as the current one."""
    return {
        "at": result["screened_at"],
        "date": result["screened_at"][:10],
        "score": result["risk"]["score"],
        "band": result["risk"]["band"],
        "urgency": result["referral"]["urgency"],
        "soreness": (intake.get("wellness") or {}).get("soreness"),
        "current": True,
    }


def drawn(previous: dict | None, ruleset, current: dict | None = None) -> dict | None:
    """`previous` with its trend drawn: the earlier screenings and `current` (the note's own) after them."""
    if previous is None or not previous["points"]:
        return previous
    shown = [*previous["points"], *([current] if current else [])]
    said = ", ".join(
        f"{p['date']}: score {p['score']} ({p['band']}), soreness "
        f"{'not given' if p['soreness'] is None else str(p['soreness']) + '/10'}"
        f"{' (this screening)' if p.get('current') else ''}"
        for p in shown
    )
    bands = [(band.band, band.start) for band in ruleset.bands]
    return {
        **previous,
        "shown": shown,
        "chart": trend_chart(shown, bands, int(ruleset.score_max)),
        "summary": f"Score and calf soreness over {len(shown)} stored screenings, oldest first: {said}",
    }

"""The heel-raise trend per leg across visits, as the note draws it: reps against the goal and the target.

    trend = heel_trend(result["programme"], target=30)   # None without an earlier screening

Oldest on the left, this screening last; a leg not tested at a visit leaves a
gap in its line (nothing is drawn where nothing was measured).
"""

WIDTH, HEIGHT, PAD = 340, 140, 24


def _lines(values: list[int | None], x, y) -> list[str]:
    """Polyline point lists, one per run of measured values."""
    runs: list[list[str]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(f"{x(index):.1f},{y(value):.1f}")
    return [" ".join(run) for run in runs if run]


def heel_trend(programme: dict, target: int) -> dict | None:
    history = programme.get("history") or {}
    earlier = list(reversed(history.get("earlier") or []))
    if not earlier:
        return None
    legs = programme["legs"]
    visits = [*({"date": e["screened_at"][:10], "left": e["left"], "right": e["right"]} for e in earlier)]
    visits.append({"date": "now", "left": legs["left"], "right": legs["right"]})
    top = max([legs["goal"], target, *(v[s] or 0 for v in visits for s in ("left", "right"))]) + 5
    step = (WIDTH - 2 * PAD) / max(1, len(visits) - 1)

    def x(index: int) -> float:
        return PAD + index * step

    def y(reps: float) -> float:
        return HEIGHT - PAD - reps * (HEIGHT - 2 * PAD) / top

    said = "; ".join(
        f"{v['date']}: left {v['left'] if v['left'] is not None else 'not tested'}, right "
        f"{v['right'] if v['right'] is not None else 'not tested'}"
        for v in visits
    )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": _lines([v["left"] for v in visits], x, y),
        "right": _lines([v["right"] for v in visits], x, y),
        "goal": {"reps": legs["goal"], "y": round(y(legs["goal"]), 1)},
        "target": {"reps": target, "y": round(y(target), 1)},
        "x0": PAD,
        "x1": WIDTH - PAD,
        "visits": visits,
        "summary": f"Heel raises per leg, oldest first: {said}. Goal {legs['goal']}, target {target}.",
    }

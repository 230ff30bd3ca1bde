"""Earlier stored screenings written as data, for tests of the history rules without a database.

    history_of([{"days_ago": 7, "fatigue": 2, "soreness": 0, "weekly_distance": [30, 30]}, ...])

Each entry is one earlier screening of the runner, `days_ago` days before NOW
(a fraction is part of a day: 21.01 is 21 days and a quarter of an hour);
`weekly_distance` (and `unit`, default km) only when its weeks should be
merged; `soreness_days` when that screening reported it; `facts` (a
series.Facts) for the facts on record. None is no store at all. WIDE_BASELINE is four weekly screenings whose
fatigue and soreness swing between 0 and 9: every history rule can then be
assessed and none fires on any 0-10 value (the highest z is
(10 - 4.5) / 5.2 = 1.06), and the latest has no soreness (none carried across
screenings).
"""

from datetime import datetime, timedelta

from screening.over_time.series import Point, Previous, RunnerHistory, weeks_text

NOW = datetime(2026, 6, 1, 12, 0, 0)
NOW_TEXT = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
WIDE_BASELINE = [
    {"days_ago": days, "fatigue": swing, "soreness": swing} for days, swing in ((7, 0), (14, 9), (21, 0), (28, 9))
]


def history_of(earlier: list[dict] | None, facts=None) -> RunnerHistory | None:
    """The earlier screenings a test describes as a RunnerHistory (None: no store)."""
    if earlier is None:
        return None
    points = []
    for n, entry in enumerate(sorted(earlier, key=lambda e: e["days_ago"])):
        weeks = entry.get("weekly_distance")
        points.append(
            Point(
                screening_id=f"earlier-{n}",
                screened_at=NOW - timedelta(days=entry["days_ago"]),
                fatigue=entry["fatigue"],
                soreness=entry["soreness"],
                weeks=weeks_text(weeks, entry.get("unit", "km")) if weeks else None,
                soreness_days=entry.get("soreness_days"),
            )
        )
    if not points:
        return RunnerHistory([])
    previous = Previous(points[0].screening_id, points[0].screened_at, "2.1.0", 0, "low", None, ())
    return RunnerHistory(points, previous, facts) if facts is not None else RunnerHistory(points, previous)


def random_earlier(rng) -> list[dict] | None:
    """A runner's earlier screenings drawn from `rng` (random.Random): None (no store) a quarter of the time,
    else 0-8 screenings over 0-70 days with every fatigue and soreness, some with weeks in km or mi.
    Drawn with values that land on the baseline, chain and merge limits: 56 and 57 days, gaps of 7 and 8."""
    if rng.random() < 0.25:
        return None
    earlier, day = [], 0
    for _ in range(rng.randint(0, 8)):
        day += rng.choice((0, 1, 3, 4, 7, 7, 8, rng.randint(0, 20)))
        entry = {
            "days_ago": rng.choice((day, day, 56, 57)),
            "fatigue": rng.choice((0, 2, 5, 9, rng.randint(0, 10))),
            "soreness": rng.choice((0, 0, 1, 3, 9, rng.randint(0, 10))),
        }
        if rng.random() < 0.5:
            entry["weekly_distance"] = [rng.randint(0, 80) for _ in range(rng.randint(1, 12))]
            entry["unit"] = rng.choice(("km", "km", "mi"))
        earlier.append(entry)
    return earlier

"""The dated trend's drawing (api/pages/trend_chart.py): placed by time, dates thinned, gaps where nothing was given."""

from api.pages.trend_chart import LEFT, RIGHT, trend_chart

BANDS = [("low", 0), ("moderate", 10), ("high", 20)]


def _point(day: int, score: int, soreness: int | None = 2, **extra) -> dict:
    date = f"2026-06-{day:02d}"
    return {"at": f"{date}T09:00:00Z", "date": date, "score": score, "soreness": soreness, **extra}


def test_points_are_placed_by_their_dates_oldest_on_the_left():
    chart = trend_chart([_point(1, 5), _point(2, 8), _point(11, 30, current=True)], BANDS, 100)
    xs = [mark["x"] for mark in chart["marks"]]
    assert xs[0] == LEFT and xs[-1] == RIGHT
    assert abs((xs[1] - xs[0]) - (RIGHT - LEFT) / 10) < 0.1
    assert [mark["current"] for mark in chart["marks"]] == [False, False, True]


def test_ten_dates_are_thinned_so_none_overlaps_and_the_newest_is_always_labelled():
    points = [_point(day, day) for day in range(1, 12)]
    dates = trend_chart(points, BANDS, 100)["dates"]
    assert dates[-1]["text"] == "2026-06-11" and dates[0]["text"] == "2026-06-01"
    assert 2 <= len(dates) < len(points)
    assert all(b["x"] - a["x"] > 60 for a, b in zip(dates, dates[1:], strict=False))


def test_a_missing_soreness_leaves_a_gap_and_the_bands_reach_the_charts_top():
    chart = trend_chart([_point(1, 5), _point(2, 8, soreness=None), _point(3, 12)], BANDS, 100)
    assert len(chart["soreness"]["line"]) == 2 and chart["marks"][1]["soreness_y"] is None
    assert [region["band"] for region in chart["bands"]] == ["low", "moderate", "high"]
    assert chart["score"]["max"] == 40 and chart["bands"][-1]["y"] == chart["score"]["top"]
    labels = [region["label_y"] for region in chart["bands"]]
    assert all(abs(a - b) >= 12 for a, b in zip(labels, labels[1:], strict=False))

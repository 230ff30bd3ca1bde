"""screening/over_time/series.py: personal baselines, soreness across screenings, merged weeks, as properties."""

import json
import statistics
import subprocess
import sys
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from screening.intake.schema import KM_PER_MILE
from screening.over_time import series
from screening.over_time.series import Point, Previous, RunnerHistory, weeks_text
from tests.support.histories import NOW, history_of

earlier_entry = st.fixed_dictionaries(
    {
        "days_ago": st.integers(0, 100),
        "fatigue": st.integers(0, 10),
        "soreness": st.integers(0, 10),
    },
    optional={
        "weekly_distance": st.lists(st.integers(0, 300), min_size=1, max_size=12),
        "unit": st.sampled_from(["km", "mi"]),
        "soreness_days": st.integers(0, 20),
    },
)
earliers = st.lists(earlier_entry, max_size=10)
entered_weeks = st.lists(st.integers(0, 300), min_size=1, max_size=12)


@given(earliers, entered_weeks, st.sampled_from(["km", "mi"]))
def test_merged_weeks_end_with_the_entered_weeks_and_never_exceed_the_limit(earlier, entered, unit):
    merged = series.merge_weeks(history_of(earlier), NOW, entered, unit, most=12)
    assert merged.weeks[len(merged.weeks) - len(entered) :] == entered
    assert len(entered) <= len(merged.weeks) <= 12
    assert merged.from_earlier == len(merged.weeks) - len(entered)
    assert bool(merged.screenings) == bool(merged.from_earlier)


@given(earliers, entered_weeks)
def test_each_merged_week_is_the_newest_earlier_screenings_account_of_it(earlier, entered):
    history = history_of(earlier)
    merged = series.merge_weeks(history, NOW, entered, "km", most=12)
    for age in range(len(entered), len(merged.weeks)):
        value = merged.weeks[len(merged.weeks) - 1 - age]
        for prior in history.points:  # newest first
            if prior.weeks is None or prior.screened_at >= NOW:
                continue
            unit, weeks = json.loads(prior.weeks)
            back = age - round((NOW - prior.screened_at).total_seconds() / (7 * 86400) + 1e-9)  # nearest week
            if 0 <= back < len(weeks):
                expected = weeks[len(weeks) - 1 - back]
                assert value == (expected * KM_PER_MILE if unit == "mi" else expected)
                break
        else:
            raise AssertionError(f"week {age} came from no earlier screening")


# Times on and beside the half-week edges, where the nearest whole week changes (3.5 days, 10.5 days, ...).
edge_ages = st.builds(
    lambda half_weeks, nudge_us: timedelta(hours=84 * half_weeks, microseconds=nudge_us),
    st.integers(1, 30),
    st.sampled_from([-1, 0, 1, -3_600_000_000, 3_600_000_000]),
)
timed_earlier = st.lists(st.tuples(edge_ages, st.lists(st.integers(0, 300), min_size=1, max_size=12)), max_size=12).map(
    lambda entries: sorted(entries, key=lambda entry: entry[0])
)


@given(timed_earlier, entered_weeks)
def test_a_merged_week_comes_from_the_newest_screening_placed_by_weeks_between_even_on_a_half_week(timed, entered):
    points = [Point(f"earlier-{n}", NOW - age, 0, 0, weeks_text(weeks, "km")) for n, (age, weeks) in enumerate(timed)]
    history = RunnerHistory(points, Previous("earlier-0", NOW, "2.1.0", 0, "low", None, ()) if points else None)
    merged = series.merge_weeks(history, NOW, entered, "km", most=12)
    expected = {age: value for age, value in enumerate(reversed(entered))}
    for point in points:  # newest first: a newer account of a week wins
        offset = series.weeks_between(point.screened_at, NOW)
        for back, value in enumerate(reversed(json.loads(point.weeks)[1])):
            if offset + back < 12:
                expected.setdefault(offset + back, value)
    known = 0
    while known in expected:
        known += 1
    assert merged.weeks == [expected[age] for age in reversed(range(known))]


def test_a_screening_exactly_half_a_week_ago_gives_last_week_and_a_moment_later_this_week():
    for age, merged in ((timedelta(days=3.5), [10, 20]), (timedelta(days=3.5) - timedelta(microseconds=1), [20])):
        point = Point("earlier-0", NOW - age, 0, 0, weeks_text([10], "km"))
        history = RunnerHistory([point], Previous("earlier-0", NOW - age, "2.1.0", 0, "low", None, ()))
        assert series.merge_weeks(history, NOW, [20], "km", most=12).weeks == merged


def test_a_miles_week_merged_into_a_km_intake_is_converted():
    history = history_of([{"days_ago": 7, "fatigue": 0, "soreness": 0, "weekly_distance": [10], "unit": "mi"}])
    assert series.merge_weeks(history, NOW, [20], "km", most=12).weeks == [10 * KM_PER_MILE, 20]


@given(earliers, st.integers(0, 10), st.integers(0, 10))
def test_a_baseline_is_one_observation_a_day_over_four_days_spanning_two_weeks_with_mean_sd_and_z(
    earlier, fatigue, sore
):
    found = series.baselines(
        history_of(earlier), NOW, fatigue, sore, window_days=56, minimum=4, sd_floor=1, min_span_days=14
    )
    daily: dict[int, dict] = {}
    for entry in sorted(earlier, key=lambda e: e["days_ago"]):  # newest first, as the store reads them
        if 0 < entry["days_ago"] <= 56:
            daily.setdefault(entry["days_ago"], entry)  # the first of a day seen is its latest
    counted = list(daily.values())
    spans = bool(counted) and max(daily) - min(daily) >= 14
    for name, today in (("fatigue", fatigue), ("soreness", sore)):
        baseline = found[name]
        if len(counted) < 4 or not spans:
            assert baseline is None
            continue
        assert baseline is not None and baseline.screenings == len(counted) and baseline.sd >= 1
        values = [e[name] for e in counted]
        mean, sd = statistics.fmean(values), max(statistics.stdev(values), 1)  # an independent reckoning
        assert abs(baseline.mean - mean) <= 0.005 and abs(baseline.sd - sd) <= 0.005
        assert abs(baseline.z - (today - mean) / sd) <= 0.005
        assert baseline.highest == max(values)


@given(earliers, st.integers(0, 10), st.one_of(st.none(), st.integers(0, 20)))
def test_the_soreness_chain_never_crosses_a_gap_of_7_days_a_screening_without_soreness_or_a_new_episode(
    earlier, sore, days
):
    chain = series.soreness_chain(history_of(earlier), NOW, sore, days, present=1, max_gap_days=7)
    if sore < 1:
        assert chain is None
        return
    before = sorted((e for e in earlier if e["days_ago"] > 0), key=lambda e: e["days_ago"])
    later, later_days, reach = 0, days, None
    for entry in before:
        if entry["soreness"] < 1 or entry["days_ago"] - later > 7:
            break
        if later_days is not None and entry["days_ago"] - later > later_days:
            break  # the later visit's soreness began after this one: another episode
        later, later_days, reach = entry["days_ago"], entry.get("soreness_days"), entry["days_ago"]
    assert (chain.days if chain else None) == reach
    if chain is not None:
        assert chain.since == NOW - timedelta(days=reach)


def test_screening_loads_no_store():
    """The series is pure: a screening (`soleus-screen screen`, a roster worker) imports neither SQLAlchemy nor
    Alembic, whose import cost every process before the over-time code left screening/history/."""
    loaded = "import sys, screening.service; print('sqlalchemy' in sys.modules, 'alembic' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", loaded], capture_output=True, text=True, check=True, timeout=60)
    assert found.stdout.split() == ["False", "False"]

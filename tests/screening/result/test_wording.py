"""The wording every face shares: conditions with the runner's values, plain messages, positions from 1."""

import pytest

from screening import default_screener
from screening.intake.messages import field_in_words, plain_message
from screening.result.conditions import condition_in_general, condition_in_words
from screening.result.values import local_time, percent

RULESET = default_screener().ruleset


def test_a_spike_is_said_with_both_runs_their_unit_and_the_ratio_as_a_percentage():
    rule = RULESET.rule("load.single_run_spike_large")
    inputs = {"derived.spike_ratio": 24 / 18, "training.latest_run": 24, "training.longest_run_30d": 18}
    assert condition_in_words(rule, inputs, RULESET) == (
        "latest run 24 km is more than 1.30 x and at most 2.00 x the longest run of the past 30 days of 18 km (133%)"
    )


def test_distances_entered_in_miles_are_said_in_miles_and_km():
    rule = RULESET.rule("load.single_run_spike_large")
    km = 1.609344
    inputs = {"derived.spike_ratio": 15 / 10, "training.latest_run": 15 * km, "training.longest_run_30d": 10 * km}
    said = condition_in_words(rule, inputs, RULESET, "mi")
    assert "latest run 15 mi (24.1 km)" in said and "of 10 mi (16.1 km)" in said


def test_a_ratio_threshold_without_a_second_run_is_a_percentage():
    rule = RULESET.rule("strength.asymmetry_marked")
    inputs = {"derived.limb_symmetry_index": 0.54, "derived.heel_raise_gap": 12}
    assert condition_in_words(rule, inputs, RULESET).startswith(
        "limb symmetry (weaker / stronger leg) 54% is less than 80%"
    )


def test_every_rule_has_a_condition_in_words_without_bare_operators():
    for rule in RULESET.rules:
        said = condition_in_general(rule, RULESET)
        assert said and not any(op in said.split() for op in ("<", "<=", ">", ">=", "=="))


@pytest.mark.parametrize(
    "path, said",
    [
        ("training.weekly_distance.8", "week 9 of training.weekly_distance"),
        ("training.weekly_distance.0", "week 1 of training.weekly_distance"),
        ("runner.age", "runner.age"),
        ("_schema", "the intake as a whole"),
    ],
)
def test_list_positions_are_counted_from_1(path, said):
    assert field_in_words(path) == said


@pytest.mark.parametrize(
    "message, plain",
    [
        ("Must be greater than or equal to 12 and less than or equal to 100.", "Enter a number from 12 to 100."),
        ("Must be greater than or equal to 0.", "Enter 0 or more."),
        ("Not a valid integer.", "Enter a whole number."),
        ("Must be one of: km, mi.", "Choose km or mi."),
        ("Expected a number, got '4O'.", "Expected a number, got '4O'."),  # already plain: kept
    ],
)
def test_schema_messages_are_said_in_plain_language(message, plain):
    assert plain_message(message) == plain


def test_ratios_read_as_percentages_and_changes_carry_their_sign():
    assert (percent(0.96), percent(-0.04, signed=True), percent(0.34, signed=True)) == ("96%", "\u22124%", "+34%")


def test_times_are_local_with_their_zone():
    assert local_time("2026-07-01T09:05:00Z", "Europe/Oslo") == "1 July 2026, 11:05 CEST (UTC+02:00)"
    assert local_time("2026-12-01T09:05:00Z", "UTC") == "1 December 2026, 09:05 UTC"


def test_the_change_since_last_time_and_the_baselines_are_said_in_words():
    from screening import default_screener
    from screening.result.sections import history_in_words
    from tests.support.histories import NOW_TEXT, history_of
    from tests.support.intakes import healthy

    earlier = [{"days_ago": d, "fatigue": f, "soreness": 2} for d, f in ((2, 2), (5, 3), (9, 2), (16, 3))]
    intake = healthy()
    intake["wellness"].update(fatigue=8, soreness=3, soreness_days=None)
    result = default_screener().screen(intake, history=history_of(earlier), screened_at=NOW_TEXT)
    words = history_in_words(result["history"])
    assert words[0].startswith("since the previous screening (2026-05-30, score 0, low): score +")
    assert (
        "newly fired: wellness.fatigue_high, wellness.soreness_mild, wellness.soreness_persistent, "
        "wellness.fatigue_above_baseline" in words
    )
    assert (
        "fatigue against the runner's own baseline: z +5.50 (mean 2.5, SD 1, 4 screenings in the last 56 days)" in words
    )
    assert "calf soreness reported on consecutive screenings across 16 days" in words
    first = default_screener().screen(intake, history=history_of([]), screened_at=NOW_TEXT)
    assert history_in_words(first["history"]) == ["first stored screening of this runner: nothing to compare with yet"]
    assert history_in_words(default_screener().screen(intake).get("history")) == []


def test_merged_weeks_are_said_to_come_from_earlier_screenings():
    from screening import default_screener
    from screening.result.sections import derived_in_words
    from tests.support.histories import NOW_TEXT, history_of
    from tests.support.intakes import healthy

    intake = healthy()
    intake["training"]["weekly_distance"] = [40]
    earlier = [{"days_ago": 7, "fatigue": 2, "soreness": 0, "weekly_distance": [30, 30]}]
    result = default_screener().screen(intake, history=history_of(earlier), screened_at=NOW_TEXT)
    words = derived_in_words(result["derived"])
    assert words[:2] == [
        "weekly distance 30, 30, 40 km (oldest first)",
        "the oldest 2 weeks of that distance come from earlier screenings (1 entered this time)",
    ]


def test_the_rulebook_says_a_count_threshold_as_a_count_of_what_the_input_names():
    said = condition_in_general(RULESET.rule("load.strength_training_regular"), RULESET)
    assert said == "at least 2 strength sessions a week"  # not "... is at least 2 sessions/week"

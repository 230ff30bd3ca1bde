"""The coach's report: self-contained, escaped, charts that add up, and bounded for a huge roster."""

import html
import json
import re
from pathlib import Path

import orjson
import pytest

from screening.roster.report.page import embeddable
from screening.roster.run import screen_roster
from screening.roster.worker.counts import BIN_WIDTH
from tests.support import rosters
from tests.support.paths import ROOT

EXAMPLE = ROOT / "examples" / "roster.csv"
HEADER = (
    "runner.id,runner.age,training.weekly_distance,wellness.fatigue,wellness.soreness,"
    "heel_raise.left,heel_raise.right\n"
)


def _make_roster(path: Path, rows: int, seed: int = 5) -> Path:
    module = rosters.make_roster
    with open(path, "w", encoding="utf-8", newline="") as handle:
        module.write_roster(handle, rows, seed=seed)
    return path


def _results(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    screen_roster(EXAMPLE, out, workers=1)
    return out, (out / "report.html").read_text(encoding="utf-8")


def test_the_report_needs_nothing_from_the_network(example):
    _, page = example
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
    assert "<link" not in page and not re.search(r"<script[^>]*\bsrc", page)
    assert "fetch(" not in page and "XMLHttpRequest" not in page


def test_the_report_has_a_print_stylesheet_that_keeps_colours_and_rows_whole(example):
    _, page = example
    print_css = page[page.index("@media print") : page.index("</style>")]
    assert "print-color-adjust: exact" in print_css
    assert "break-inside: avoid" in print_css


def test_the_score_histogram_counts_every_runner_in_its_five_point_bin(example):
    out, page = example
    bars = re.findall(r"<title>score (\d+)-(\d+): (\d+) runners</title>", page)
    scores = [result["risk"]["score"] for result in _results(out)]
    assert sum(int(count) for _, _, count in bars) == len(scores)
    for low, high, count in bars:
        assert int(high) - int(low) + 1 >= BIN_WIDTH
        assert int(count) == sum(int(low) <= score <= int(high) for score in scores)


def test_the_factor_chart_counts_runners_whose_explanation_names_the_rule(example):
    out, page = example
    factors = _section(page, "factors")
    shown = re.findall(r"<code>([a-z_.]+)</code></td><td class=\"num\"><a [^>]+>(\d+)</a></td>", factors)
    assert len(shown) >= 5
    results = _results(out)
    for rule, count in shown:
        assert int(count) == sum(any(entry["rule"] == rule for entry in result["explanation"]) for result in results)
    counts = [int(count) for _, count in shown]
    assert counts == sorted(counts, reverse=True)


def _section(page: str, section_id: str) -> str:
    start = page.index(f'<section id="{section_id}">')
    return page[start : page.index("</section>", start)]


def test_untrusted_text_from_the_roster_is_escaped(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + '"<img src=x onerror=alert(1)>",30,20,3,1,25,26\nclub-1,30,20;<b>x</b>,3,1,25,26\n')
    screen_roster(roster, tmp_path / "out", workers=1)
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<img" not in page and "<b>x" not in page
    invalid = html.unescape(_section(page, "invalid"))
    assert "<img src=x onerror=alert(1)>" in invalid and "<b>x</b>" in invalid


def _embedded(page: str, element_id: str):
    start = page.index(">", page.index(f'<script type="application/json" id="{element_id}">')) + 1
    return json.loads(page[start : page.index("</script>", start)])


def test_every_runner_of_a_large_roster_is_in_the_page_once_with_its_rules(tmp_path):
    roster = _make_roster(tmp_path / "roster.csv", 1200)
    outcome = screen_roster(roster, tmp_path / "out", workers=1, report_caps={"urgent_cap": 2})
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    results = _results(tmp_path / "out")
    tables, runners = _embedded(page, "roster-tables"), _embedded(page, "roster-data")
    assert len(runners) == outcome.screened == len(results)
    for runner, result in zip(runners, results, strict=True):
        assert runner[1:3] == [result["runner_id"], result["risk"]["score"]]
        assert tables["bands"][runner[3]] == result["risk"]["band"]
        assert [tables["rules"][i]["id"] for i in runner[6]] == [e["rule"] for e in result["explanation"]]
        assert [tables["rules"][i]["id"] for i in runner[9][::2]] == result["not_assessed"]
    # Evidence is written once per rule, not once per runner who fired it.
    citation = tables["rules"][0]["evidence"][0][0]
    assert page.count(json.dumps(citation, ensure_ascii=False)[1:-1]) == 1
    assert f"{outcome.urgent - 2:,} more urgent referrals are not listed" in page


def test_embedded_data_cannot_close_the_script_element_that_holds_it():
    # Runner ids are validated before they reach the page; the data is made safe whatever it holds.
    text = ["</script><img src=x onerror=alert(1)>", "<!--"]
    safe = embeddable(orjson.dumps(text))
    assert b"<" not in safe
    assert json.loads(safe) == text


def test_runner_ids_on_more_than_one_row_are_flagged_and_every_row_is_still_screened(tmp_path, capsys):
    from api.commands import main

    roster = tmp_path / "roster.csv"
    roster.write_text(
        HEADER + "club-1,30,20,3,1,25,26\nclub-2,31,20,3,1,25,26\nclub-1,45,40,8,6,12,25\n"
        "club-3,30,oops,3,1,25,26\nclub-3,30,20,3,1,25,26\nclub-1,30,20,3,1,25,26\n"
    )
    main(["roster", str(roster), "--out", str(tmp_path / "out"), "--workers", "1"])
    assert [result["runner_id"] for result in _results(tmp_path / "out")] == [
        "club-1",
        "club-2",
        "club-1",
        "club-3",
        "club-1",
    ]
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "1 runner id on more than one row" in page
    rows = re.findall(
        r"<tr><td class=\"mono\">([^<]+)</td><td class=\"num\">(\d+)</td>\s*<td>([^<]+)</td>",
        _section(page, "repeated"),
    )
    # club-3's first row is invalid and was not screened, so it is not repeated among screened rows.
    assert rows == [("club-1", "3", "1, 3, 6")]
    assert "1 runner id is on more than one row" in capsys.readouterr().err


def test_a_roster_of_distinct_ids_has_no_repeated_ids_section(example):
    _, page = example
    assert 'id="repeated"' not in page


def test_the_histogram_axis_ends_at_the_highest_score_reached_not_at_the_maximum(example):
    out, page = example
    labels = re.findall(r"<title>score (\d+)-(\d+): \d+ runners</title>", page)
    from screening import default_screener

    top = max(result["risk"]["score"] for result in _results(out))
    top_band = default_screener().ruleset.bands[-1].start  # the top band's first bin is always drawn
    last_low, last_high = (int(n) for n in labels[-1])
    assert last_low == BIN_WIDTH * max(top // BIN_WIDTH, top_band // BIN_WIDTH)
    assert last_high < default_screener().ruleset.score_max
    assert f"No runner scored {last_high + 1} or more" in page


def test_a_runner_entered_in_miles_reads_in_miles_and_km_on_the_report(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "runner.id,runner.age,training.unit,training.weekly_distance,training.longest_run_30d,training.latest_run,"
        "wellness.fatigue,wellness.soreness,heel_raise.left,heel_raise.right\n"
        "mi-1,45,mi,20;22;25,10,13,3,2,25,25\n",
        encoding="utf-8",
    )
    screen_roster(roster, tmp_path / "out", workers=1)
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "weekly distance 20.0, 22.0, 25.0 mi (32.19, 35.41, 40.23 km, oldest first)" in page
    assert "latest run 13 mi (20.9 km) is more than 1.10 x" in page


def _phrase_tables(page: str) -> tuple[list, list, list]:
    """The page's runner records, its string table and each partition's phrases, as its script reads them."""

    def embedded(name: str):
        return json.loads(re.search(rf'id="{name}"[^>]*>(.*?)</script>', page, re.S).group(1))

    return embedded("roster-data"), embedded("roster-strings"), embedded("roster-phrases")


def _phrases_of(runner: list) -> list:
    return [*runner[7], *runner[9][1::2], *runner[10]]


def test_each_partition_numbers_the_phrases_its_runners_share_and_writes_out_the_others(tmp_path):
    screen_roster(EXAMPLE, tmp_path / "out", workers=1, chunk_rows=10)
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    runners, table, parts = _phrase_tables(page)
    assert len(parts) == 4  # 32 rows in partitions of 10: a phrase table each
    assert [runner[11] for runner in runners] == sorted(runner[11] for runner in runners)
    uses: dict[tuple[int, str], int] = {}
    for runner in runners:
        for item in _phrases_of(runner):
            key = (runner[11], parts[runner[11]][item] if isinstance(item, int) else item)
            uses[key] = uses.get(key, 0) + 1
    # A number for a phrase the partition's runners share, the text for one runner's own.
    for runner in runners:
        for item in _phrases_of(runner):
            if isinstance(item, int):
                assert uses[runner[11], parts[runner[11]][item]] > 1
            else:
                assert uses[runner[11], item] == 1
    # Each partition's phrases are numbers in the page's one string table, which holds each once.
    assert all(isinstance(number, int) for part in parts for number in part)
    assert len(table) == len(set(table)) == len({number for part in parts for number in part})
    assert any(text.startswith("weekly distance") for runner in runners for text in runner[10] if isinstance(text, str))


def test_the_string_table_stops_growing_and_later_phrases_are_written_out(tmp_path, monkeypatch):
    from screening.roster.report import totals as report_module

    monkeypatch.setattr(report_module, "PHRASES_KEPT", 2)
    screen_roster(EXAMPLE, tmp_path / "out", workers=1, chunk_rows=10)
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    runners, table, parts = _phrase_tables(page)
    assert len(table) == 2
    written_out = [text for part in parts for text in part if isinstance(text, str)]
    assert written_out and all(text not in table for text in written_out)
    assert sorted(number for part in parts for number in part if isinstance(number, int))[-1] == 1


def test_a_run_without_a_store_says_once_that_the_baseline_rules_need_the_history(example):
    # Without a store the baseline rules can never run: one line says so, instead of a row that
    # counts nearly every runner as not assessed for them (each runner's own not_assessed keeps them).
    _, page = example
    bands = html.unescape(_section(page, "bands"))
    line = bands[bands.index('<p id="need-history">') :]
    line = line[: line.index("</p>")]
    assert "Fatigue well above the runner's own baseline" in line and "--store" in line
    table = bands[bands.index("<table>", bands.index('<p id="need-history">')) :]
    assert "<code>wellness.soreness_above_baseline</code>" not in table
    assert "<code>wellness.fatigue_above_baseline</code>" not in table


def test_the_inputs_said_to_need_the_history_are_never_known_without_one():
    from screening.derive import HISTORY_ONLY, derive
    from screening.roster.worker.counts import needs_history
    from screening.service import default_screener
    from tests.support.intakes import healthy

    ruleset = default_screener().ruleset
    intake = default_screener().validate(healthy("club-1"))
    inputs = derive(intake, ruleset).inputs
    assert HISTORY_ONLY <= set(ruleset.inputs)
    assert all(inputs[name] is None for name in HISTORY_ONLY)
    assert needs_history(ruleset) == {
        "wellness.fatigue_above_baseline",
        "wellness.soreness_above_baseline",
        "wellness.soreness_jump_from_never_sore",
    }

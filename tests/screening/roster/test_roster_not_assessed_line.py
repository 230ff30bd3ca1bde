"""The roster report's not-assessed table: rules the roster has no data for (no runner assessed, every one lacking
the same columns) are said in one line; the table keeps the rules some runners could be assessed for."""

import html

from screening.roster.run import screen_roster
from tests.support.paths import ROOT

EXAMPLE = ROOT / "examples" / "roster.csv"  # no ostrc_o2 columns


def test_rules_no_runner_could_be_assessed_for_are_one_line_and_the_table_keeps_the_rest(tmp_path):
    screen_roster(EXAMPLE, tmp_path / "out", workers=1, screened_at="2026-12-01T09:00:00Z")
    page = html.unescape((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    line = page[page.index('<p id="assessed-for-none">') :]
    line, rest = line[: line.index("</p>")], line[line.index("</p>") :]
    assert line.startswith('<p id="assessed-for-none">These rules need data this roster does not have')
    assert "Severe running-related calf pain on the OSTRC-O2: needs the OSTRC-O2 questions" in line
    table = rest[: rest.index("</table>")]
    assert "OSTRC-O2" not in table and "ostrc" not in table
    assert "<code>wellness.pain_while_running_mild</code>" in table  # 6 runners lacked it, the others did not
    assert "Fatigue well above the runner's own baseline" not in line  # the history, not a column: said apart

"""The roster report says what a rule needs and which field a row got wrong in words, the roster column beside."""

import html
import json
import re

from screening.roster.run import screen_roster
from tests.support.paths import ROOT

EXAMPLE = ROOT / "examples" / "roster.csv"
PATH = re.compile(r"\b(runner|training|wellness|heel_raise|ostrc_o2|red_flags)\.[a-z0-9_]+")


def _report(tmp_path) -> str:
    screen_roster(EXAMPLE, tmp_path / "out", workers=1, screened_at="2026-12-01T09:00:00Z")
    return (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def _words(needs: str) -> str:
    """A need without its trailing "(column ...)" note: what must be in words."""
    return re.sub(r" \(columns? [^()]*\)$", "", needs)


def test_the_needs_column_says_each_need_in_words_and_names_the_columns_after(tmp_path):
    page = html.unescape(_report(tmp_path))
    table = page[page.index("<th>Needs</th>") : page.index("</table>", page.index("<th>Needs</th>"))]
    needs = re.findall(r"</code></td><td>(.*?)</td>", table)
    assert needs
    for need in needs:
        assert not PATH.search(_words(need)), need
    assert "left or right heel raise tested (columns heel_raise.left, heel_raise.right)" in needs


def test_each_runners_not_assessed_line_says_its_needs_in_words(tmp_path):
    page = _report(tmp_path)
    strings = json.loads(re.search(r'id="roster-strings">(.*?)</script>', page, re.S).group(1))
    phrases = json.loads(re.search(r'id="roster-phrases">(.*?)</script>', page, re.S).group(1))
    runners = json.loads(re.search(r'id="roster-data">(.*?)</script>', page, re.S).group(1))
    said = []
    for runner in runners:
        for item in runner[9][1::2]:
            text = phrases[runner[11]][item] if isinstance(item, int) else item
            said.append(strings[text] if isinstance(text, int) else text)
    assert said
    for need in said:
        assert not PATH.search(_words(need)), need


def test_the_errors_table_says_the_field_in_words_with_its_column(tmp_path):
    page = html.unescape(_report(tmp_path))
    invalid = page[page.index('<section id="invalid">') :]
    fields = re.findall(r'data-label="Field">(.*?)</td>', invalid[: invalid.index("</table>")])
    assert fields
    for field in fields:
        assert not PATH.search(field.split("<br>")[0]), field

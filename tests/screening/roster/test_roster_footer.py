"""The roster report's footer names the file that holds every full result, and only one that was written."""

import pytest
from bs4 import BeautifulSoup

from screening.roster.run import screen_roster
from tests.support.paths import ROOT

EXAMPLE = ROOT / "examples" / "roster.csv"


@pytest.mark.parametrize(
    ("jsonl", "named", "unnamed"),
    [(True, "results.jsonl", "results.parquet"), (False, "results.parquet", "results.jsonl")],
)
def test_the_footer_and_the_no_script_note_name_only_a_file_that_exists(tmp_path, jsonl, named, unnamed):
    out = tmp_path / "out"
    screen_roster(EXAMPLE, out, workers=1, jsonl=jsonl, screened_at="2026-12-01T09:00:00Z")
    assert (out / named).exists() and (out / "results.jsonl").exists() == jsonl  # the Parquet parts: always
    soup = BeautifulSoup((out / "report.html").read_text(encoding="utf-8"), "html.parser")
    for said in (soup.find("footer").get_text(" ", strip=True), soup.find("noscript").get_text(" ", strip=True)):
        assert named in said and (unnamed not in said or (out / unnamed).exists())

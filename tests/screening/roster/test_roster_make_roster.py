"""scripts/make_roster.py: a deterministic synthetic roster with a realistic mix of runners."""

import csv
import io
import subprocess
import sys

import pytest

from screening.roster.run import screen_roster
from tests.support import rosters
from tests.support.paths import ROOT

SCRIPT = ROOT / "scripts" / "make_roster.py"


@pytest.fixture(scope="module")
def make_roster():
    module = rosters.make_roster
    return module


def _text(make_roster, rows, **kwargs) -> str:
    buffer = io.StringIO()
    make_roster.write_roster(buffer, rows, **kwargs)
    return buffer.getvalue()


def test_the_same_seed_gives_the_same_roster_and_another_seed_another(make_roster):
    assert _text(make_roster, 50, seed=4) == _text(make_roster, 50, seed=4)
    assert _text(make_roster, 50, seed=4) != _text(make_roster, 50, seed=5)


def test_the_command_writes_n_rows_under_a_header_of_contract_columns(tmp_path):
    out = tmp_path / "roster.csv"
    subprocess.run([sys.executable, str(SCRIPT), "25", "--seed", "2", "--out", str(out)], check=True, timeout=60)
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 25
    assert [row["runner.id"] for row in rows] == [f"club-{n:04d}" for n in range(1, 26)]


def test_every_generated_row_is_valid_and_the_mix_covers_every_band_red_flags_and_untested_legs(make_roster, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(_text(make_roster, 600, seed=9))
    outcome = screen_roster(roster, tmp_path / "out", workers=1)
    assert outcome.invalid == 0 and outcome.screened == 600
    assert all(count >= 30 for count in outcome.bands.values()), outcome.bands
    assert outcome.urgent >= 3
    with open(tmp_path / "out" / "results.csv", encoding="utf-8-sig", newline="") as handle:
        untested = sum("strength.below_norm" in row["not_assessed"] for row in csv.DictReader(handle))
    assert 30 <= untested <= 120  # about one in eight


def test_the_invalid_rate_puts_an_entry_error_in_that_share_of_rows(make_roster, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(_text(make_roster, 40, seed=1, invalid_rate=1.0))
    outcome = screen_roster(roster, tmp_path / "out", workers=1)
    assert (outcome.screened, outcome.invalid) == (0, 40)

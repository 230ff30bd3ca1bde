"""What the docs pages tell a first-time user matches what the code does."""

import re
import subprocess
import sys

from api import DEFAULTS
from api.commands.exits import EXIT_INVALID
from screening.roster.worker.csv_cells import RESULT_COLUMNS
from tests.support.paths import ROOT

ROSTER = (ROOT / "docs" / "guides" / "roster.md").read_text(encoding="utf-8")
LIMITS = (ROOT / "docs" / "tutorial" / "first-screening.md").read_text(encoding="utf-8")


def test_the_results_csv_columns_are_listed_as_written():
    item = ROSTER[ROSTER.index("- `results.csv`") : ROSTER.index("- `results.jsonl`")]
    assert tuple(re.findall(r"`([a-z_]+)`", item)) == RESULT_COLUMNS


def test_the_body_limits_are_documented_with_their_values():
    assert DEFAULTS["MAX_CONTENT_LENGTH"] == 16 * 1024 * 1024 and "**16 MiB** (`MAX_CONTENT_LENGTH`" in LIMITS
    assert DEFAULTS["INTAKE_MAX_CONTENT_LENGTH"] == 64 * 1024 and "**64 KiB** (`INTAKE_MAX_CONTENT_LENGTH`" in LIMITS
    assert DEFAULTS["FHIR_MAX_CONTENT_LENGTH"] == 256 * 1024 and "**256 KiB** (`FHIR_MAX_CONTENT_LENGTH`" in LIMITS
    assert DEFAULTS["CDS_MAX_CONTENT_LENGTH"] == 1024 * 1024 and "**1 MiB** (`CDS_MAX_CONTENT_LENGTH`" in LIMITS


def test_the_roster_example_exits_1_as_the_roster_guide_says(tmp_path):
    command = [sys.executable, "-m", "api.commands", "roster", "examples/roster.csv", "--out", str(tmp_path), "--quiet"]
    assert subprocess.run(command, cwd=ROOT, timeout=120).returncode == EXIT_INVALID
    assert "this\ncommand exits 1" in ROSTER

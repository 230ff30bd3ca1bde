"""The synthetic rosters of scripts/make_roster.py for the tests (a script, not a package: loaded here once)."""

import importlib.util
import json
from pathlib import Path

from screening.roster.run import screen_roster
from tests.support.paths import ROOT

_spec = importlib.util.spec_from_file_location("make_roster", ROOT / "scripts" / "make_roster.py")
assert _spec is not None and _spec.loader is not None
make_roster = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_roster)


def screened_synthetic(folder: Path, rows: int, *, seed: int, invalid_rate: float = 0.01) -> tuple[Path, list[dict]]:
    """A synthetic roster of `rows` screened by two workers into `folder`/out: its report and its results."""
    with open(folder / "roster.csv", "w", encoding="utf-8", newline="") as handle:
        make_roster.write_roster(handle, rows, seed=seed, invalid_rate=invalid_rate)
    screen_roster(folder / "roster.csv", folder / "out", workers=2)
    lines = (folder / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    return folder / "out" / "report.html", [json.loads(line) for line in lines]

"""A roster run writes, byte for byte, the files recorded before the roster package was laid out anew (issue #28).

The inputs are in tests/fixtures/roster_outputs/inputs: one roster as a CSV file
(with a blank line, invalid rows and a runner id on two rows), the same rows as a
folder of CSV parts (and a `_notes.csv` the reader skips), as Parquet (typed
columns) and a JSON array of intakes (with invalid items and a key given twice).
Each is screened in chunks of CHUNK_ROWS rows (several chunks each) in this
process, in two worker processes and on a local Dask cluster of two workers, and
every run must write exactly what was recorded: results.csv, errors.csv,
results.jsonl, the report and each results.parquet part, byte for byte, and the
same outcome. A run that stores (twice, so the second reads the first's history)
is held the same way, and so is the `soleus-screen roster` command's summary.

Nothing is normalised: with a fixed --screened-at a run's files do not vary
from run to run, nor with the output folder (the command's summary names the
folder: that path alone is replaced by OUT). A Parquet part embeds the version of
the pyarrow that wrote it: with another pyarrow than the one recorded (in
manifest.json) the parts are compared as tables instead of bytes.

Re-record (only on purpose, when an output is meant to change):
    .venv/bin/python -m tests.screening.roster.test_roster_outputs_recorded --write
"""

import contextlib
import gzip
import io
import json
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

import pyarrow
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from api.commands import main
from screening.history.store import Store
from screening.roster.run import screen_roster
from screening.roster.storing import RosterStore
from tests.support.paths import ROOT, TESTS

RECORDED = TESTS / "fixtures" / "roster_outputs"
INPUTS = RECORDED / "inputs"
SCREENED_AT = "2026-12-01T08:00:00Z"
LATER = "2026-12-08T08:00:00Z"  # the stored form's second run, which reads the first run's screenings
CHUNK_ROWS = 16
ROWS = 40
FORMS = {"csv": "roster.csv", "folder": "roster_parts", "parquet": "roster.parquet", "json": "roster.json"}
TEXT_FILES = ("results.csv", "errors.csv")
ZIPPED_FILES = ("results.jsonl", "report.html")  # kept gzipped: together some 90% of the bytes


def _outcome(outcome) -> dict:
    return {
        "screened": outcome.screened,
        "invalid": outcome.invalid,
        "urgent": outcome.urgent,
        "soon": outcome.soon,
        "routine": outcome.routine,
        "bands": outcome.bands,
        "repeated_ids": outcome.repeated_ids,
        "stored": outcome.stored,
        "need_history": list(outcome.need_history),
        "files": sorted(outcome.files),
    }


def screen(form: str, out: Path, **how) -> dict:
    """Screen the recorded input of `form` into `out` in chunks of CHUNK_ROWS; return the outcome as recorded."""
    if form == "csv_stored":
        url = f"sqlite:///{out.parent / (out.name + '.sqlite3')}"
        storing = RosterStore(Store.open(url, upgrade=True), url, "club-a")
        for at in (SCREENED_AT, LATER):
            outcome = screen_roster(
                INPUTS / FORMS["csv"], out, chunk_rows=CHUNK_ROWS, screened_at=at, storing=storing, **how
            )
        storing.store.engine.dispose()
    else:
        outcome = screen_roster(INPUTS / FORMS[form], out, chunk_rows=CHUNK_ROWS, screened_at=SCREENED_AT, **how)
    return _outcome(outcome)


def written(out: Path) -> dict[str, bytes]:
    """Every file a run wrote, by its name in the folder (Parquet parts as results.parquet/part-...)."""
    return {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


def recorded(form: str) -> dict[str, bytes]:
    folder = RECORDED / form
    files = {name: (folder / name).read_bytes() for name in TEXT_FILES}
    files.update({name: gzip.decompress((folder / f"{name}.gz").read_bytes()) for name in ZIPPED_FILES})
    for part in sorted((folder / "results.parquet").iterdir()):
        files[f"results.parquet/{part.name}"] = part.read_bytes()
    return files


def _manifest() -> dict:
    return json.loads((RECORDED / "manifest.json").read_text(encoding="utf-8"))


def assert_as_recorded(form: str, out: Path, outcome: dict) -> None:
    assert outcome == json.loads((RECORDED / form / "outcome.json").read_text(encoding="utf-8"))
    got, expected = written(out), recorded(form)
    assert sorted(got) == sorted(expected)
    same_pyarrow = _manifest()["pyarrow"] == pyarrow.__version__
    for name, data in expected.items():
        if name.endswith(".parquet") and not same_pyarrow:
            assert pq.read_table(io.BytesIO(got[name])).equals(pq.read_table(io.BytesIO(data))), name
        else:
            assert got[name] == data, f"{form}: {name} differs from the recorded one"


@pytest.fixture(scope="module")
def cluster():
    """The tcp:// address of a local Dask cluster of two single-threaded worker processes (loopback only)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",  # any free port: a fixed one (8787) may be taken
    ) as local:
        yield local.scheduler_address


@pytest.mark.parametrize("form", [*FORMS, "csv_stored"])
def test_one_process_writes_the_recorded_files(form, tmp_path):
    assert_as_recorded(form, tmp_path / "out", screen(form, tmp_path / "out", workers=1))


@pytest.mark.parametrize("form", [*FORMS, "csv_stored"])
def test_two_worker_processes_write_the_recorded_files(form, tmp_path):
    assert_as_recorded(form, tmp_path / "out", screen(form, tmp_path / "out", workers=2))


@pytest.mark.parametrize("form", FORMS)
def test_a_dask_cluster_writes_the_recorded_files(form, cluster, tmp_path):
    assert_as_recorded(form, tmp_path / "out", screen(form, tmp_path / "out", dask=cluster))


def test_a_dask_cluster_the_run_starts_itself_writes_the_recorded_files(tmp_path):
    pytest.importorskip("distributed")
    assert_as_recorded("csv", tmp_path / "out", screen("csv", tmp_path / "out", dask="local:2"))


def run_command(out: Path, capsys) -> dict:
    """`soleus-screen roster` on the CSV roster (its own chunk size): exit status and summary, OUT for the folder."""
    capsys.readouterr()
    status = main(["roster", str(INPUTS / FORMS["csv"]), "--out", str(out), "--screened-at", SCREENED_AT])
    said = capsys.readouterr()
    return {"status": status, "stdout": said.out, "stderr": said.err.replace(str(out), "OUT")}


def test_the_command_says_and_writes_what_was_recorded(tmp_path, capsys):
    out = tmp_path / "out"
    assert run_command(out, capsys) == json.loads((RECORDED / "command.json").read_text(encoding="utf-8"))
    got, expected = written(out), recorded("csv")
    for name in ("results.csv", "errors.csv", "results.jsonl"):  # the same rows, whatever the chunk size
        assert got[name] == expected[name], name


# Recording: the inputs (made once, then kept) and what the code of the day writes from them.


def _make_inputs() -> None:
    """Write the four forms of the roster into INPUTS (only when they are missing: they are the fixed input)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from make_roster import write_roster

    INPUTS.mkdir(parents=True, exist_ok=True)
    text = io.StringIO()
    write_roster(text, ROWS, seed=28, invalid_rate=0.12)
    lines = text.getvalue().splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    rows = [*rows[:10], "\n", *rows[10:], rows[4]]  # a blank line (no runner, keeps its number), a repeated id
    (INPUTS / FORMS["csv"]).write_text(header + "".join(rows), encoding="utf-8", newline="")
    parts = INPUTS / FORMS["folder"]
    parts.mkdir(exist_ok=True)
    for number, (start, end) in enumerate(((0, 15), (15, 30), (30, len(rows))), 1):
        (parts / f"part-{number}.csv").write_text(header + "".join(rows[start:end]), encoding="utf-8", newline="")
    (parts / "_notes.csv").write_text("not a part: names starting with _ are skipped\n", encoding="utf-8")
    table = pa_csv.read_csv(INPUTS / FORMS["csv"])  # typed columns: numbers, booleans, text
    pq.write_table(table, INPUTS / FORMS["parquet"], row_group_size=25)
    (INPUTS / FORMS["json"]).write_text(_json_roster(), encoding="utf-8")


def _json_roster() -> str:
    """A JSON array of intakes varied from the example's, with invalid items and one key given twice."""
    rng = random.Random(28)
    example = json.loads((ROOT / "examples" / "intake.json").read_text(encoding="utf-8"))
    items = []
    for number in range(1, ROWS + 1):
        intake = json.loads(json.dumps(example))
        intake["runner"]["id"] = f"club-{number:04d}"
        intake["runner"]["age"] = rng.randint(18, 70)
        intake["training"]["weekly_distance"] = [rng.randint(10, 60) for _ in range(rng.randint(4, 6))]
        intake["wellness"]["fatigue"] = rng.randint(0, 10)
        intake["wellness"]["soreness"] = rng.randint(0, 10)
        intake["heel_raise"] = {"left": rng.randint(5, 35), "right": rng.randint(5, 35)}
        if number % 9 == 0:
            intake["runner"]["age"] = "forty"
        if number % 13 == 0:
            intake["red_flags"]["calf_swelling"] = True
        items.append(json.dumps(intake))
    items[6] = items[2]  # a runner id on two items
    items.insert(20, '"not an intake"')
    items.insert(25, '{"runner": {"id": "club-9999", "age": 30, "age": 31}}')
    return "[\n" + ",\n".join(items) + "\n]\n"


def _record(form: str, out: Path, outcome: dict) -> None:
    folder = RECORDED / form
    for name in TEXT_FILES:
        (folder / name).write_bytes((out / name).read_bytes())
    for name in ZIPPED_FILES:
        (folder / f"{name}.gz").write_bytes(gzip.compress((out / name).read_bytes(), mtime=0))
    (folder / "results.parquet").mkdir()
    for part in sorted((out / "results.parquet").iterdir()):
        (folder / "results.parquet" / part.name).write_bytes(part.read_bytes())
    (folder / "outcome.json").write_text(json.dumps(outcome, indent=2) + "\n", encoding="utf-8")


class _Said:
    """capsys's `readouterr` for the recorder, which runs outside pytest."""

    def __init__(self):
        self.out, self.err = io.StringIO(), io.StringIO()

    def readouterr(self):
        said = type("Said", (), {"out": self.out.getvalue(), "err": self.err.getvalue()})
        for stream in (self.out, self.err):
            stream.seek(0)
            stream.truncate()
        return said


def write_recording() -> None:
    if not INPUTS.exists():
        _make_inputs()
    for form in [*FORMS, "csv_stored"]:
        shutil.rmtree(RECORDED / form, ignore_errors=True)
        (RECORDED / form).mkdir(parents=True)
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["SOLEUS_DATABASE_URL"] = f"sqlite:///{scratch}/history.sqlite3"
        for form in [*FORMS, "csv_stored"]:
            out = Path(scratch) / form
            _record(form, out, screen(form, out, workers=1))
        said = _Said()
        with contextlib.redirect_stdout(said.out), contextlib.redirect_stderr(said.err):
            answer = run_command(Path(scratch) / "command", said)
    (RECORDED / "command.json").write_text(json.dumps(answer, indent=2) + "\n", encoding="utf-8")
    manifest = {"pyarrow": pyarrow.__version__, "chunk_rows": CHUNK_ROWS, "screened_at": SCREENED_AT}
    (RECORDED / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    size = sum(path.stat().st_size for path in RECORDED.rglob("*") if path.is_file())
    print(f"recorded {RECORDED.relative_to(ROOT)}: {size:,} bytes")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    write_recording()

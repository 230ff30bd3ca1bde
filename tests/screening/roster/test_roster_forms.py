"""A roster in any form (CSV, folder of CSV parts, Parquet) gives the same results; a run's files are reproducible."""

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import screening.roster.run as run_module
from screening.errors import UnusableRoster
from screening.roster.run import screen_roster
from tests.support import rosters

AT = "2026-12-01T08:00:00Z"
ROWS = 600


def _make_roster(path: Path, rows: int = ROWS, invalid_rate: float = 0.03) -> Path:
    make_roster = rosters.make_roster
    with open(path, "w", encoding="utf-8", newline="") as handle:
        make_roster.write_roster(handle, rows, seed=5, invalid_rate=invalid_rate)
    return path


def _csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _without_ids(rows: list[list[str]]) -> list[list[str]]:
    """results.csv rows without the screening id, which hashes the roster's name."""
    at = rows[0].index("screening_id")
    return [row[:at] + row[at + 1 :] for row in rows]


def _screen(roster, out, **options):
    return screen_roster(roster, out, workers=1, screened_at=AT, **options)


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    folder = tmp_path_factory.mktemp("whole")
    roster = _make_roster(folder / "roster.csv")
    _screen(roster, folder / "out", jsonl=True)
    return roster, folder / "out"


def test_a_folder_of_csv_parts_gives_the_results_of_the_file_they_were_cut_from(whole, tmp_path):
    roster, expected = whole
    header, *lines = roster.read_text(encoding="utf-8").splitlines(keepends=True)
    parts = tmp_path / "parts"
    parts.mkdir()
    for index, cut in enumerate(range(0, len(lines), 250)):
        (parts / f"part-{index}.csv").write_text(header + "".join(lines[cut : cut + 250]), encoding="utf-8")
    (parts / "_SUCCESS").write_text("")  # markers that exporters leave are not parts
    _screen(parts, tmp_path / "out")
    assert _without_ids(_csv(tmp_path / "out" / "results.csv")) == _without_ids(_csv(expected / "results.csv"))
    assert _csv(tmp_path / "out" / "errors.csv") == _csv(expected / "errors.csv")  # rows numbered on through the parts


def _rows(roster: Path) -> list[dict]:
    with open(roster, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_parquet_roster_of_text_columns_gives_the_results_of_the_csv(whole, tmp_path):
    roster, expected = whole
    rows = _rows(roster)
    table = pa.table({name: [row[name] for row in rows] for name in rows[0]})
    pq.write_table(table, tmp_path / "roster.parquet")
    _screen(tmp_path / "roster.parquet", tmp_path / "out")
    assert _without_ids(_csv(tmp_path / "out" / "results.csv")) == _without_ids(_csv(expected / "results.csv"))
    assert _csv(tmp_path / "out" / "errors.csv") == _csv(expected / "errors.csv")


def test_typed_parquet_columns_are_read_as_the_text_a_csv_would_hold(tmp_path):
    roster = _make_roster(tmp_path / "roster.csv", rows=200, invalid_rate=0)
    rows = _rows(roster)
    columns = {}
    for name in rows[0]:
        cells = [row[name] for row in rows]
        if name in ("runner.age", "wellness.fatigue"):
            columns[name] = pa.array([int(cell) if cell else None for cell in cells], pa.int64())
        elif name.startswith("red_flags."):
            columns[name] = pa.array([cell == "true" for cell in cells], pa.bool_())
        else:
            columns[name] = pa.array(cells, pa.string())
    pq.write_table(pa.table(columns), tmp_path / "typed.parquet")
    _screen(roster, tmp_path / "from-csv")
    _screen(tmp_path / "typed.parquet", tmp_path / "from-parquet")
    from_csv = _without_ids(_csv(tmp_path / "from-csv" / "results.csv"))
    assert _without_ids(_csv(tmp_path / "from-parquet" / "results.csv")) == from_csv
    assert len(from_csv) == 201


@pytest.mark.parametrize(
    "columns, words",
    [
        ({"runner.id": pa.array([["a"]], pa.list_(pa.string()))}, ["runner.id", "list", "expected text"]),
        ({"runner.id": ["club-1"], "runner.name": ["Jane"]}, ["unknown column", "runner.name"]),
        ({"runner.id": ["club-1"]}, ["missing required column", "runner.age"]),
    ],
)
def test_a_parquet_roster_that_is_not_a_roster_is_refused_and_nothing_is_written(tmp_path, columns, words):
    pq.write_table(pa.table(columns), tmp_path / "bad.parquet")
    with pytest.raises(UnusableRoster) as raised:
        _screen(tmp_path / "bad.parquet", tmp_path / "out")
    assert all(word in str(raised.value) for word in words), str(raised.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("contents, words", [({}, ["no .csv or .parquet parts"]), ({"a.csv", "b.parquet"}, ["both"])])
def test_a_folder_that_is_not_a_roster_is_refused(tmp_path, contents, words):
    folder = tmp_path / "roster"
    folder.mkdir()
    for name in contents:
        (folder / name).write_text("x")
    with pytest.raises(UnusableRoster) as raised:
        _screen(folder, tmp_path / "out")
    assert all(word in str(raised.value) for word in words)


def test_rows_are_numbered_as_records_across_chunks_even_with_a_quoted_newline(tmp_path):
    roster = _make_roster(tmp_path / "roster.csv", rows=9, invalid_rate=0)
    header, *lines = roster.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[2].split(",")
    cells[1] = '"3\n1"'  # row 3's age holds a newline: one record over two lines, and not a valid age
    lines[2] = ",".join(cells)
    roster.write_text(header + "".join(lines), encoding="utf-8")
    _screen(roster, tmp_path / "out", chunk_rows=2)
    errors = _csv(tmp_path / "out" / "errors.csv")[1:]
    assert [row[:3] for row in errors] == [["3", cells[0], "runner.age"]]
    assert [row[0] for row in _csv(tmp_path / "out" / "results.csv")[1:]] == ["1", "2", "4", "5", "6", "7", "8", "9"]


def _files(folder: Path) -> dict:
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def test_two_runs_at_one_time_write_identical_files_and_a_run_at_another_time_other_ids(whole, tmp_path):
    roster, expected = whole
    # the same instant as AT, written in another zone
    screen_roster(roster, tmp_path / "again", workers=1, screened_at="2026-12-01T09:00:00+01:00", jsonl=True)
    assert _files(tmp_path / "again") == _files(expected)
    screen_roster(roster, tmp_path / "later", workers=1, screened_at="2026-12-01T09:00:00Z", jsonl=True)
    at = _csv(expected / "results.csv")[0].index("screening_id")
    ids = [row[at] for row in _csv(expected / "results.csv")[1:]]
    later = [row[at] for row in _csv(tmp_path / "later" / "results.csv")[1:]]
    assert len(set(ids)) == len(ids) and not set(ids) & set(later)
    first = json.loads((tmp_path / "later" / "results.jsonl").read_text().splitlines()[0])
    assert first["screened_at"] == "2026-12-01T09:00:00Z"


def test_results_parquet_holds_the_summary_columns_typed_and_each_full_result(whole):
    _, expected = whole
    table = pq.read_table(expected / "results.parquet")
    csv_rows = _csv(expected / "results.csv")[1:]
    assert table.num_rows == len(csv_rows)
    first = table.slice(0, 1).to_pylist()[0]
    line = json.loads((expected / "results.jsonl").read_text().splitlines()[0])
    assert json.loads(first["result"]) == line
    assert first["row"] == int(csv_rows[0][0]) and first["score"] == line["risk"]["score"]
    assert first["referral"] is line["referral"]["required"]
    assert first["not_assessed"] == line["not_assessed"]
    assert len(first["not_assessed_text"]) == len(first["not_assessed"])
    assert len(first["top_reasons_text"]) == len(first["top_reasons"])
    header = _csv(expected / "results.csv")[0]
    assert table.column_names == [*header, "result"] and "top_reasons_text" in header
    assert [row.compression for row in _column_chunks(expected / "results.parquet")] == ["ZSTD"] * len(table.schema)


def _column_chunks(folder: Path):
    metadata = pq.ParquetFile(sorted(folder.iterdir())[0]).metadata
    return [metadata.row_group(0).column(index) for index in range(metadata.num_columns)]


def test_results_jsonl_is_left_out_past_its_size_but_the_report_stays_the_same(whole, tmp_path, monkeypatch):
    roster, _ = whole
    caps = {"urgent_cap": 4}  # every runner's page record is made where it was screened, JSON lines or not
    # The same chunks (each numbers the phrases its runners share in the page), with JSON lines throughout.
    _screen(roster, tmp_path / "full", jsonl=True, chunk_rows=100, report_caps=caps)
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.jsonl").write_text("an earlier run's\n")
    monkeypatch.setattr(run_module, "JSONL_MAX_ROWS", 300)
    _screen(roster, out, chunk_rows=100, report_caps=caps)
    assert not (out / "results.jsonl").exists()  # neither this run's nor the earlier one
    # The same report, but for the file its footer and no-script note name: the one this run wrote.
    full_report = (tmp_path / "full" / "report.html").read_bytes()
    written = b"results.jsonl, one line per runner, in roster order"
    assert full_report.count(written) == 1
    parquet = b"results.parquet, a folder of Parquet parts in roster order"
    named = full_report.replace(written, parquet).replace(
        b"results.csv and results.jsonl.", b"results.csv and results.parquet."
    )
    assert (out / "report.html").read_bytes() == named
    assert pq.read_table(out / "results.parquet").equals(pq.read_table(tmp_path / "full" / "results.parquet"))
    assert len(list((out / "results.parquet").iterdir())) == ROWS // 100


def test_a_roster_with_no_valid_row_still_gives_a_readable_empty_results_parquet(tmp_path):
    roster = _make_roster(tmp_path / "roster.csv", rows=3, invalid_rate=0)
    text = roster.read_text(encoding="utf-8").splitlines(keepends=True)
    header = text[0].split(",")
    age = header.index("runner.age")
    bad = []
    for line in text[1:]:
        cells = line.split(",")
        cells[age] = "9"
        bad.append(",".join(cells))
    roster.write_text(text[0] + "".join(bad), encoding="utf-8")
    outcome = _screen(roster, tmp_path / "out")
    assert (outcome.screened, outcome.invalid) == (0, 3)
    table = pq.read_table(tmp_path / "out" / "results.parquet")
    assert table.num_rows == 0 and "result" in table.schema.names

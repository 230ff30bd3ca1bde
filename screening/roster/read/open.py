"""Open a roster in any of its forms, to stream it as chunks of rows, each row carrying its number.

    with open_roster("roster.csv") as roster:      # or a folder of CSV parts, or Parquet
        for chunk in roster.chunks(1000):
            ...

- A CSV file or a JSON array: `text_file.TextRoster` (quoted newlines
  respected, rows numbered from 1 as a spreadsheet shows them).
- A folder of CSV parts (`csv_folder.CsvFolder`; `*.csv`, read in name order;
  names starting with `.` or `_` are skipped): each part is read like a CSV
  file, with its own header, and rows are numbered on through the parts as if
  they were one file, so a folder gives the results of the file its parts were
  cut from. An unusable part is named with its own row number.
- Parquet (`parquet_roster.ParquetRoster`; a `.parquet` file, or a folder of
  them): every cell is turned into text (numbers and booleans as pyarrow writes
  them, a null as an empty cell) and read by the CSV rules, so an intake means
  the same in every form; the header is checked as a CSV header is. Columns of
  other types (lists, dates) are refused.

Every form is read by the process that runs the roster (the parent), and
chunks are sent to the workers: a worker never needs to see the roster's files.
"""

from pathlib import Path

from screening.errors import UnusableRoster
from screening.roster.read.csv_folder import CsvFolder
from screening.roster.read.parquet_roster import PARQUET_MAGIC, ParquetRoster
from screening.roster.read.text_file import TextRoster


def open_roster(path):
    """The roster at `path` ready to stream; raises UnusableRoster if it cannot be read as one."""
    path = Path(path)
    if path.is_dir():
        parts = sorted(entry for entry in path.iterdir() if entry.is_file() and not entry.name.startswith((".", "_")))
        parquet = [part for part in parts if part.suffix == ".parquet"]
        csvs = [part for part in parts if part.suffix.lower() == ".csv"]
        if parquet and csvs:
            raise UnusableRoster(f"{path}: holds both CSV and Parquet parts: expected one kind")
        if parquet:
            return ParquetRoster(path, parquet)
        if csvs:
            return CsvFolder(path, csvs)
        raise UnusableRoster(f"{path}: a folder with no .csv or .parquet parts")
    if _is_parquet(path):
        return ParquetRoster(path, [path])
    return TextRoster(path)


def _is_parquet(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(PARQUET_MAGIC)) == PARQUET_MAGIC
    except OSError:
        return False  # TextRoster names the reason

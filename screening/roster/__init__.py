"""Club roster screening: a whole roster file in, results, errors and a coach's report out.

    from screening.roster.run import screen_roster
    outcome = screen_roster("examples/roster.csv", "out/")

Laid out by where the code runs. The parent process reads the roster and cuts
it into chunks (1,000 rows, the one unit of work), hands each chunk to a worker
(this process, a worker process or a Dask worker), then writes what comes back
and adds it into the report; a worker screens one chunk, pure and picklable, and
never imports the parent's folders. "part" names only a file: a Parquet part of
results.parquet, or a CSV file in a roster folder. The top level holds what
both sides share:

- `run`: the one entry, `screen_roster`: read, screen in order, write, report, publish
- `rows`: validates and screens numbered rows; `POST /v1/screenings/batch` uses it too
- `summary`: `SummaryCounts`, the counts of a roster's summary (both faces answer them)
- `chunk`: `Chunk`, the unit of work, and `CHUNK_ROWS`
- `repeated_ids`: runner ids on more than one row, counted per chunk and spooled
- `stamp`: one time and one identity for a whole run, so two runs compare byte for byte
- `storing`: a run that stores in the runner history (`--store`): `screen_stored_chunk`
  runs in the worker, `RosterStore` commits in the parent (not named `store`, so it
  cannot be mistaken for history/store.py)

Sub-packages:

- `read/`: the parent opens the roster in any form and streams it as chunks
- `worker/`: one chunk's work: screen, render lines, the Parquet part, counts, the page's records
- `executors/`: where chunks run, in order, with bounded memory: processes, a Dask cluster
- `output/`: the parent writes the files in a staging folder and publishes them; erasure from run folders
- `report/`: the parent adds the chunks up (`totals`) and renders the page (`page`, `templates/`)

Where this departs from the sketch in issue #28, and why: the stored run keeps
the name `storing` (see above); erasure from run folders (`redact`) sits in
output/, beside the file names it rewrites, not at the top; report/ names its
modules for their jobs, `totals` (the parent's accumulation) and `page` (the
rendering), rather than a report/report.py; and `start_worker` is in
worker/task.py, the worker's entry, which the executors call.

The `soleus-screen roster` subcommand is api/commands/roster.py. Nothing is
imported here, so registering the subcommand keeps the command line quick to start.
"""

# results.jsonl (about 5 KB a row) is written for rosters up to this many rows, or when asked for.
JSONL_MAX_ROWS = 10_000

"""Club roster screening: a whole roster file in, results, errors and a coach's report out.

    from screening.batch.run import screen_roster
    outcome = screen_roster("examples/roster.csv", "out/")

Modules, one job each: `rows` validates, screens and counts numbered rows (the
one batch pipeline: `POST /v1/screenings/batch` uses it too), `source` reads
the file in chunks, `pipeline` screens a chunk with `rows` (in a worker) and
renders its output lines, `parallel` runs chunks on every core in order,
`cells` renders spreadsheet-safe CSV rows, `outputs` writes and publishes the
files, `report` builds the HTML page, `repeated_ids` finds ids on several rows
and `run` ties them together; the `soleus-screen roster` subcommand is
api/commands/roster.py. Nothing is imported here, so registering the
subcommand keeps the command line quick to start.

Distributed mode: `partitions` opens a roster in any form (CSV, JSON array,
folder of CSV parts, Parquet), `parts` is one partition's work, `parquet`
writes results.parquet, `stamp` gives a run its time and ids, and
`distributed` runs the partitions on a Dask cluster.
"""

# results.jsonl (about 5 KB a row) is written for rosters up to this many rows, or when asked for.
JSONL_MAX_ROWS = 10_000

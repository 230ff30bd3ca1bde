"""One chunk's work, the same in this process, a worker process or a Dask worker: pure and picklable.

Nothing here imports the parent's folders (read/, executors/, output/, report/).

- `task`: `ChunkTask` in, `ChunkOutput` out: `screen_chunk`, the worker's one entry, and `start_worker`
- `lines`: screens the chunk's rows (with `rows`) and renders its JSON lines and CSV rows
- `csv_cells`: spreadsheet-safe results.csv and errors.csv cells
- `parquet_part`: the chunk's Parquet part of results.parquet, built in memory
- `counts`: `ChunkCounts`, what the report counts of the chunk's runners
- `records`: each runner as the report's page reads it, with the chunk's phrase table
"""

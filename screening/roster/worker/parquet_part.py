"""results.parquet: one zstd-compressed Parquet part per screened chunk, in roster order.

    part = part_bytes(lines)           # in the worker that screened the chunk
    table = pyarrow.parquet.read_table("out/results.parquet")   # all parts, in row order

results.parquet is a folder of part files named part-000000.parquet,
part-000001.parquet, ... in roster order (readers list them by name). Each
holds the results.csv columns as typed values (`referral` a boolean, the
reason lists as lists, nothing spreadsheet-escaped) and `result`, the full
result as JSON text, exactly the line results.jsonl would hold for the runner.
JSON text compresses well with zstd: the part is about a tenth of its JSON.
Parts are built where the chunk was screened, so compression is shared
out like screening, and the writer only saves bytes.
"""

import pyarrow as pa
import pyarrow.parquet as pq

from screening.roster.worker.lines import ChunkLines

PARQUET_DIR = "results.parquet"
COMPRESSION = "zstd"
SCHEMA = pa.schema(
    [
        ("row", pa.int64()),
        ("runner_id", pa.string()),
        ("score", pa.int32()),
        ("band", pa.string()),
        ("referral", pa.bool_()),
        ("urgency", pa.string()),
        ("referral_to", pa.string()),
        ("top_reasons", pa.list_(pa.string())),
        ("top_reasons_text", pa.list_(pa.string())),
        ("not_assessed", pa.list_(pa.string())),
        ("not_assessed_text", pa.list_(pa.string())),
        ("screening_id", pa.string()),
        ("programme_stage", pa.string()),
        ("result", pa.string()),
    ]
)


def part_name(index: int) -> str:
    return f"part-{index:06d}.parquet"


def part_table(output: ChunkLines) -> pa.Table:
    """The chunk's screened runners as a table of SCHEMA (a chunk of invalid rows only gives no rows)."""
    summary_columns = list(zip(*output.values, strict=True)) or [()] * (len(SCHEMA) - 1)
    jsonl = output.jsonl
    results = [jsonl[start : end - 1].decode("utf-8") for start, end in (runner.line for runner in output.runners)]
    arrays = [pa.array(column, type=SCHEMA.field(index).type) for index, column in enumerate(summary_columns)]
    return pa.Table.from_arrays([*arrays, pa.array(results, type=pa.string())], schema=SCHEMA)


def part_bytes(output: ChunkLines | None) -> bytes:
    """The chunk's results as one Parquet file in memory; None gives a part with no rows."""
    sink = pa.BufferOutputStream()
    pq.write_table(part_table(output) if output else SCHEMA.empty_table(), sink, compression=COMPRESSION)
    return sink.getvalue().to_pybytes()

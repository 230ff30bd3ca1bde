#!/usr/bin/env python3
"""Time to refuse a CSV roster header of many repeated columns (POST /v1/screenings/batch, in process).

    .venv/bin/python scripts/bench_csv_header.py [COLUMNS ...]   (default 10000 20000 40000 100000)

Before the fix the duplicate check was quadratic: 3.3 / 10.6 / 43.8 s for
10k / 20k / 40k columns. Target: each answered 400 within 0.5 s.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api import create_app  # noqa: E402

TARGET_SECONDS = 0.5


def main(argv: list[str]) -> int:
    counts = [int(text) for text in argv] or [10_000, 20_000, 40_000, 100_000]
    client = create_app({"TESTING": True}).test_client()
    ok = True
    for count in counts:
        body = ",".join(["runner.id"] * count).encode()
        started = time.perf_counter()
        response = client.post("/v1/screenings/batch", data=body, content_type="text/csv")
        seconds = time.perf_counter() - started
        passed = response.status_code == 400 and seconds <= TARGET_SECONDS
        ok &= passed
        print(
            f"{count:>7,} columns ({len(body) / 1e6:.2f} MB): {response.status_code} in {seconds:.3f} s  "
            f"{'PASS' if passed else 'FAIL'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

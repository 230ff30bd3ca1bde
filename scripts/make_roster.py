#!/usr/bin/env python3
"""Write a synthetic club roster of N runners as CSV, deterministic for a given seed.

    python scripts/make_roster.py 100000 --seed 7 --out /tmp/roster.csv
    python scripts/make_roster.py 30 --invalid-rate 0.1 > roster.csv

Runners have pseudonymous ids (club-000001), ages 16-75, weekly distances of
4-8 weeks (a tenth in miles), and a realistic spread of load spikes, low or
uneven heel-raise counts, soreness and pain; about one in eight has no
heel-raise test and about one in fifty reports a red flag. With
--invalid-rate, that share of rows carries one data-entry error (a fractional
rep count, an age of 9, a letter O in a distance, a fatigue of 11).
"""

import argparse
import csv
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screening.intake.flat import FIELD_KINDS  # noqa: E402
from screening.intake.schema import KM_PER_MILE, RED_FLAGS  # noqa: E402

COLUMNS = tuple(FIELD_KINDS)
MISTAKES = (
    ("heel_raise.left", lambda row: "14.5"),
    ("runner.age", lambda row: "9"),
    ("training.weekly_distance", lambda row: row["training.weekly_distance"] + ";4O"),
    ("wellness.fatigue", lambda row: "11"),
)


def _distance(km: float, unit: str) -> str:
    value = km / KM_PER_MILE if unit == "mi" else km
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _scale(rng: random.Random, mode: float, spread: float) -> int:
    return max(0, min(10, round(rng.gauss(mode, spread))))


def make_runner(rng: random.Random, number: int, width: int) -> dict:
    """One runner's row: every column of the contract, as text."""
    unit = "mi" if rng.random() < 0.1 else "km"
    base = min(150.0, rng.lognormvariate(3.4, 0.45))  # median about 30 km a week
    weeks = [base * rng.uniform(0.85, 1.15) for _ in range(rng.randint(4, 8))]
    if rng.random() < 0.12:
        weeks[-1] = weeks[-2] * rng.uniform(1.3, 1.7)  # a jump in the latest week
    longest = base * rng.uniform(0.28, 0.45)
    spike = rng.choices(
        (rng.uniform(0.7, 1.1), rng.uniform(1.1, 1.3), rng.uniform(1.3, 2.0), rng.uniform(2.0, 2.6)),
        weights=(76, 14, 8, 2),
    )[0]
    row = {name: "" for name in COLUMNS}
    row.update(
        {
            "runner.id": f"club-{number:0{width}d}",
            "runner.age": str(max(16, min(75, round(rng.triangular(16, 75, 36))))),
            "runner.sex": rng.choices(("female", "male", "other", ""), weights=(45, 50, 2, 3))[0],
            "training.unit": unit,
            "training.weekly_distance": ";".join(_distance(km, unit) for km in weeks),
            "wellness.fatigue": str(_scale(rng, 4, 2)),
            "wellness.soreness": str(_scale(rng, 1.5, 2)),
        }
    )
    if rng.random() < 0.15:
        row["runner.prior_calf_strain_weeks_ago"] = str(rng.randint(2, 150))
    if rng.random() > 0.05:
        row["training.longest_run_30d"] = _distance(longest, unit)
        row["training.latest_run"] = _distance(longest * spike, unit)
    if rng.random() > 0.05:
        row["training.strength_sessions_per_week"] = str(rng.choices((0, 1, 2, 3), weights=(35, 30, 25, 10))[0])
    if int(row["wellness.soreness"]) > 0:
        # Mostly a few days; one in ten a week or more (lasting soreness: a present injury, symptomatic).
        days = rng.choices((rng.randint(0, 3), rng.randint(4, 6), rng.randint(7, 14)), weights=(70, 20, 10))[0]
        row["wellness.soreness_days"] = str(days)
    if rng.random() > 0.2:
        row["wellness.pain_while_running"] = str(_scale(rng, 1, 1.8))
    if rng.random() > 0.12:  # the rest were not tested: left empty
        strong = max(3, round(rng.gauss(26, 7)))
        weak = strong if rng.random() < 0.6 else max(0, round(strong * rng.uniform(0.5, 0.95)))
        left, right = (strong, weak) if rng.random() < 0.5 else (weak, strong)
        row["heel_raise.left"], row["heel_raise.right"] = str(left), str(right)
    flagged = rng.choice(RED_FLAGS) if rng.random() < 0.02 else None
    for flag in RED_FLAGS:
        row[f"red_flags.{flag}"] = "true" if flag == flagged else "false"
    return row


def write_roster(handle, runners: int, *, seed: int = 1, invalid_rate: float = 0.0) -> None:
    """Write the header and `runners` rows to an open text file."""
    rng = random.Random(seed)
    width = max(4, len(str(runners)))
    writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for number in range(1, runners + 1):
        row = make_runner(rng, number, width)
        if rng.random() < invalid_rate:
            column, mistake = rng.choice(MISTAKES)
            row[column] = mistake(row)
        writer.writerow(row)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runners", type=int, help="number of runners (rows)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1): same seed, same roster")
    parser.add_argument("--invalid-rate", type=float, default=0.0, help="share of rows with an entry error (0-1)")
    parser.add_argument("--out", help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    if args.out:
        with open(args.out, "w", encoding="utf-8", newline="") as handle:
            write_roster(handle, args.runners, seed=args.seed, invalid_rate=args.invalid_rate)
    else:
        write_roster(sys.stdout, args.runners, seed=args.seed, invalid_rate=args.invalid_rate)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Screen the representative runners and print their results as a Markdown table.

    python scripts/representative_runners.py                          # print the table
    python scripts/representative_runners.py --check rules/CHANGELOG.md
    python scripts/representative_runners.py --write rules/CHANGELOG.md

The runners are data (tests/representative_runners.yaml: a name and an intake
each). --check exits 1 if the table between the markers in FILE differs from
the one the current rules give; --write puts the current table there. --drop
removes a dotted intake field before screening (to run the same runners on an
older ruleset that does not know it), e.g. --drop red_flags.active_cancer.
"""

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening import Screener  # noqa: E402

RUNNERS = ROOT / "tests" / "representative_runners.yaml"
START = "<!-- representative-runners:start -->"
END = "<!-- representative-runners:end -->"
HEADER = ("Runner", "Score", "Risk multiple", "Band", "Referral", "To", "Programme")


def load_runners(path: Path = RUNNERS) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def without(intake: dict, dotted: str) -> dict:
    """The intake without the field at this dotted path (unchanged if it is not there)."""
    head, _, rest = dotted.partition(".")
    if head not in intake:
        return intake
    if not rest:
        return {key: value for key, value in intake.items() if key != head}
    return {**intake, head: without(intake[head], rest)}


def screen_all(runners: list[dict], screener: Screener, drop: tuple[str, ...] = ()) -> list[tuple[str, dict]]:
    """(name, result) for each runner, in file order."""
    screened = []
    for runner in runners:
        intake = runner["intake"]
        for dotted in drop:
            intake = without(intake, dotted)
        result = screener.screen(intake, screening_id="representative", screened_at="2026-01-01T00:00:00Z")
        screened.append((runner["name"], result))
    return screened


def row(name: str, result: dict) -> tuple[str, ...]:
    risk, referral = result["risk"], result["referral"]
    multiple = risk.get("relative_risk")  # not in results of rulesets before 2.0.0
    destinations = referral.get("destinations") or ([referral["to"]] if referral["to"] else [])
    return (
        name,
        str(risk["score"]),
        f"{multiple['value']:.1f}x" if multiple else "-",
        risk["band"],
        referral["urgency"] or "none",
        ", ".join(destinations) or "-",
        programme_cell(result.get("programme")),
    )


def programme_cell(programme: dict | None) -> str:
    """The runner's programme: its stage and title (with the weaker leg's extra set), or withheld ('-' before 2.3)."""
    if not programme:
        return "-"
    if programme["status"] == "withheld":
        return "withheld (refer first)"
    stage = programme["stage"]
    extra = f"; extra set {programme['emphasis']['leg']}" if programme.get("emphasis") else ""
    capped = "; return-to-run checklist" if programme.get("return_to_run") else ""
    return f"stage {stage['number']} ({stage['title'].lower()}){extra}{capped}"


def table(screened: list[tuple[str, dict]]) -> str:
    lines = [
        HEADER,
        ("---", "--:", "--:", "---", "---", "---", "---"),
        *(row(name, result) for name, result in screened),
    ]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines) + "\n"


def _split(text: str, path: Path) -> tuple[str, str, str]:
    """(before the table, the table, after it) of a file holding the markers once each."""
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise SystemExit(f"{path}: needs one '{START}' line followed by one '{END}' line")
    before, _, rest = text.partition(START + "\n")
    current, _, after = rest.partition(END)
    return before, current, after


def check(path: Path, generated: str) -> bool:
    """True if the table in the file is the generated one."""
    _, current, _ = _split(path.read_text(encoding="utf-8"), path)
    return current == generated


def write(path: Path, generated: str) -> None:
    before, _, after = _split(path.read_text(encoding="utf-8"), path)
    path.write_text(before + START + "\n" + generated + END + after, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", type=Path, metavar="FILE", help="exit 1 if FILE's table differs from the rules'")
    action.add_argument("--write", type=Path, metavar="FILE", help="rewrite the table in FILE")
    parser.add_argument("--runners", type=Path, default=RUNNERS, help="the runners (YAML: name and intake each)")
    parser.add_argument("--drop", action="append", default=[], metavar="FIELD", help="dotted field to leave out")
    args = parser.parse_args(argv)

    generated = table(screen_all(load_runners(args.runners), Screener(), tuple(args.drop)))
    if args.check:
        if check(args.check, generated):
            return 0
        print(f"{args.check}: the representative-runner table differs from the rules; it should read:", file=sys.stderr)
        print(generated, file=sys.stderr, end="")
        print(f"(run: python scripts/representative_runners.py --write {args.check})", file=sys.stderr)
        return 1
    if args.write:
        write(args.write, generated)
        return 0
    print(generated, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())

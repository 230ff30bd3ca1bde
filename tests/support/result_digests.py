"""The SHA-256 of every result the screening core gives on the rule cases and 2,000 generated runners.

`tests/screening/result/test_result_bytes.py` compares today's results with the digests in
`tests/fixtures/result_digests.json`, byte for byte (orjson, the contract's key
order), so that work on the result's speed cannot change what it says. When a
result changes on purpose (a ruleset release), record them again and say why in
rules/CHANGELOG.md:

    .venv/bin/python -m tests.support.result_digests --write tests/fixtures/result_digests.json
"""

import argparse
import hashlib
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.support.paths import ROOT

GENERATED, SEED = 2_000, 26
DIGESTS = ROOT / "tests" / "fixtures" / "result_digests.json"


def _results() -> Iterator[tuple[str, dict]]:
    if str(ROOT / "scripts") not in sys.path:
        sys.path.append(str(ROOT / "scripts"))
    import yaml
    from make_roster import make_runner

    from screening import default_screener
    from screening.intake.flat import unflatten
    from tests.screening.ruleset.test_rules_cases import CASES, _base, _facts, _merge
    from tests.support.histories import NOW_TEXT, WIDE_BASELINE, history_of

    screener = default_screener()
    for path in sorted(CASES.glob("*.yaml")):
        if path.name == "base.yaml":
            continue
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            history = history_of(case.get("earlier", WIDE_BASELINE), _facts(case.get("facts")))
            intake = screener.validate(_merge(_base(), case["input"]))
            result = screener.screen_valid(intake, history=history, screened_at=NOW_TEXT, screening_id="0" * 32)
            yield f"{path.stem}: {case['name']}", result
    rng = random.Random(SEED)
    for number in range(GENERATED):
        payload, text_errors = unflatten(make_runner(rng, number, 4))
        assert not text_errors, text_errors
        result = screener.screen_valid(screener.validate(payload), screened_at=NOW_TEXT, screening_id="0" * 32)
        yield f"generated {number}", result


def digests() -> dict[str, str]:
    import orjson

    return {name: hashlib.sha256(orjson.dumps(result)).hexdigest() for name, result in _results()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", type=Path, required=True, help="the JSON file to write")
    args = parser.parse_args()
    sys.path[:0] = [str(Path.cwd()), str(Path.cwd() / "tests"), str(Path.cwd() / "scripts")]
    args.write.write_text(json.dumps(digests(), indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.write}")

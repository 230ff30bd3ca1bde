"""Speed work on the result leaves every result byte for byte as it was (recorded in tests/fixtures)."""

import json

from tests.support.result_digests import DIGESTS, digests


def test_every_case_and_generated_result_is_byte_for_byte_the_recorded_one():
    recorded = json.loads(DIGESTS.read_text(encoding="utf-8"))

    today = digests()

    assert today.keys() == recorded.keys()
    changed = sorted(name for name, digest in today.items() if recorded[name] != digest)
    assert not changed, f"{len(changed)} results changed, e.g. {changed[:5]}"

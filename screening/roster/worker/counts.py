"""What a roster's report counts of every screened runner, counted per chunk where it was screened.

The `ChunkCounts` of one chunk's runners are made in the worker that screened
them (`task.screen_chunk`); the report adds them up, so its process does not
walk every runner's fired rules. Counting is order-free: the report is the
same whichever chunk's counts arrive first. (The roster summary's counts are
`summary.SummaryCounts`.)
"""

from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from screening.derive import HISTORY_ONLY
from screening.ruleset.model import BANDS, Ruleset

BIN_WIDTH = 5


class ChunkCounts(NamedTuple):
    screened: int
    bands: dict[str, int]
    urgencies: dict[str | None, int]
    bins: dict[int, int]  # score bin index -> runners
    rule_counts: dict[str, int]  # rule id -> runners it fired for
    not_assessed_runners: int
    not_assessed_counts: dict[str, int]  # rule id -> runners it could not be assessed for
    attention_total: int
    not_assessed_inputs: dict[str, list[str]]  # rule id -> the inputs some runner lacked for it
    stages: dict[str, int]  # programme stage cell ("stage 2", "withheld") -> runners
    groups: dict[str, int]  # the runners' groups (squads) -> runners, for the report's group filter


def needs_attention(runner) -> bool:
    return runner.urgency in ("urgent", "soon") or runner.band == BANDS[-1]


def bin_count(score_max: int) -> int:
    # The top score shares the last bin (95-100), so every bin is BIN_WIDTH wide but the last.
    return max(1, score_max // BIN_WIDTH)


def needs_history(ruleset: Ruleset) -> frozenset[str]:
    """The rules that read an input only a stored history gives: a run without a store never assesses them."""
    return frozenset(
        rule.id
        for rule in ruleset.rules
        if any(name in HISTORY_ONLY and ruleset.inputs[name].absent == "not_assessed" for name in rule.inputs)
    )


def count_chunk(runners: Sequence, bins: int, set_aside: frozenset[str] = frozenset()) -> ChunkCounts:
    """Count a chunk's runners (lines.RunnerSummary) into `bins` score bins.

    A runner counts as not assessed for a rule outside `set_aside` (the rules
    that need the history, in a run without a store: said once, not per runner).
    """
    return ChunkCounts(
        len(runners),
        dict(Counter(runner.band for runner in runners)),
        dict(Counter(runner.urgency for runner in runners)),
        dict(Counter(min(runner.score // BIN_WIDTH, bins - 1) for runner in runners)),
        dict(Counter(rule_id for runner in runners for rule_id in runner.fired)),
        sum(1 for runner in runners if set(runner.not_assessed) - set_aside),
        dict(Counter(rule_id for runner in runners for rule_id in runner.not_assessed)),
        sum(1 for runner in runners if needs_attention(runner)),
        _missing_by_rule(runners),
        dict(Counter(runner.stage for runner in runners if runner.stage)),
        dict(Counter(runner.group for runner in runners if runner.group)),
    )


def _missing_by_rule(runners: Sequence) -> dict[str, list[str]]:
    found: dict[str, set[str]] = {}
    for runner in runners:
        for rule_id, name in runner.missing:
            found.setdefault(rule_id, set()).add(name)
    return {rule_id: sorted(names) for rule_id, names in found.items()}

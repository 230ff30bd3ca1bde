"""Each screened runner of a chunk as the report's page reads it: made in the worker that screened the chunk.

The parent only appends these records to the page (see report.totals), so it
never reads a result back.
"""

from collections import Counter
from collections.abc import Callable
from typing import NamedTuple

import orjson

from screening.programme.words import stage_cell
from screening.result.conditions import entry_in_words
from screening.result.field_words import needs_for_coach
from screening.result.sections import derived_in_words
from screening.roster.worker.lines import ChunkLines
from screening.ruleset.model import BANDS, URGENCIES, Ruleset


class PageRecords(NamedTuple):
    """A chunk's runners as the page reads them: JSON text ready to embed, and its phrase table."""

    records: bytes  # the records, comma-separated (no brackets); b"" for a chunk of no runner
    phrases: bytes  # JSON array: the phrases its records give by number


def runner_records(output: ChunkLines, ruleset: Ruleset, chunk: int) -> PageRecords:
    """Each screened runner of a chunk as the page's script reads it, made from the chunk's JSON lines.

    Made where the chunk was screened (task.screen_chunk), so the report never reads the results
    back and only appends the text: numbers index the ruleset's rules and recommendations; a phrase
    that more than one runner of the chunk shares ("age 45 years is at least 40 years") is a
    number in the chunk's phrase table, which the record names (its 12th item, `chunk`); a phrase
    of one runner's own values stays text. Tables are per chunk, so no process holds a table
    of the whole roster's phrases, and the page's script reads a number or a text alike.
    """
    rule_index = {rule.id: index for index, rule in enumerate(ruleset.rules)}
    rec_index = {rec_id: index for index, rec_id in enumerate(ruleset.recommendations)}
    said: dict[bytes, str] = {}  # a phrase by what it is said of: a chunk's runners share most of them

    def once(of: tuple, say: Callable[[], str]) -> str:
        key = orjson.dumps(of)
        if (text := said.get(key)) is None:
            text = said[key] = say()
        return text

    def in_words(entry: dict, unit: str) -> str:
        of = ("condition", entry["rule"], entry["inputs"], entry.get("sources"), unit)
        return once(of, lambda: entry_in_words(entry, ruleset, unit))

    def needs_words(needs: list) -> str:
        return once(("needs", needs), lambda: needs_for_coach(needs, ruleset))

    records = []
    for runner in output.runners:
        result = orjson.loads(output.jsonl[runner.line[0] : runner.line[1]])
        unit = result["derived"].get("entered_unit", "km")
        records.append(
            [
                runner.row,
                runner.runner_id,
                runner.score,
                BANDS.index(runner.band),
                URGENCIES.index(runner.urgency) if runner.urgency else -1,
                result["referral"]["to"],
                [rule_index[entry["rule"]] for entry in result["explanation"]],
                [in_words(entry, unit) for entry in result["explanation"]],
                [rec_index[rec["id"]] for rec in result["recommendations"]],
                [
                    item
                    for entry in result["not_assessed_detail"]
                    for item in (rule_index[entry["rule"]], needs_words(entry["needs"]))
                ],
                derived_in_words(result["derived"]),
                chunk,
                change_since_previous(result),
                [entry["points"] for entry in result["explanation"]],
                [[cap["group"], cap["points"], cap["counted"]] for cap in result["risk"].get("caps", [])],
                stage_cell(result.get("programme")),
                runner.group,
            ]
        )
    uses = Counter(text for record in records for text in (*record[7], *record[9][1::2], *record[10]))
    table: dict[str, int] = {}

    def phrase(text: str) -> int | str:
        return table.setdefault(text, len(table)) if uses[text] > 1 else text

    for record in records:
        record[7] = [phrase(text) for text in record[7]]
        record[9] = [item if index % 2 == 0 else phrase(item) for index, item in enumerate(record[9])]
        record[10] = [phrase(text) for text in record[10]]
    return PageRecords(b",\n".join(orjson.dumps(record) for record in records), orjson.dumps(list(table)))


def change_since_previous(result: dict) -> list | None:
    """What the report shows of a stored result's `history`: [band change, score change, newly referred].

    None for a result of a run that did not store (it has no `history`); ["first", 0, 0] for the
    runner's first stored screening. Band change is "up", "down" or "same"; newly referred is 1
    when this screening refers the runner and the previous one did not.
    """
    history = result.get("history")
    if history is None:
        return None
    previous = history["previous"]
    if previous is None:
        return ["first", 0, 0]
    newly_referred = result["referral"]["urgency"] is not None and previous["urgency"] is None
    return [history["band_change"] or "same", history["score_change"], int(newly_referred)]

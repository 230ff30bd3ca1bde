"""Field paths and a rule's needs said for a coach, with the roster columns they name kept beside.

"heel_raise.left or heel_raise.right tested" -> "left or right heel raise tested";
"training.weekly_distance.1" -> "week 2 of the weekly distances". The roster report
says these; the result keeps its paths (its JSON does not change).
"""

import re

from screening.result.conditions import SHORT_NAMES, label
from screening.ruleset.model import Ruleset

# Needs that name two fields at once, said together (checked before single fields).
_PAIRS = [
    (re.compile(r"heel_raise\.left or heel_raise\.right"), "left or right heel raise"),
    (re.compile(r"heel_raise\.left and heel_raise\.right"), "left and right heel raises"),
    (
        re.compile(r"training\.latest_run and training\.longest_run_30d above 0"),
        "the latest run and the longest run of the past 30 days, both above 0",
    ),
    (re.compile(r"training\.weekly_distance with at least"), "weekly distances of at least"),
    (re.compile(r"the ostrc_o2 section"), "the OSTRC-O2 questions"),
]
_PATH = re.compile(r"\b[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\b")
_POSITION = re.compile(r"^(?P<list>[a-z_.]+?)\.(?P<index>\d+)(?P<rest>(\..*)?)$")
SECTIONS = {"runner", "training", "wellness", "heel_raise", "ostrc_o2", "red_flags"}  # an intake's (roster columns)
NAMES = {"runner.id": "runner id", "runner.group": "group"}  # fields no rule reads, so no input names them
LISTS = {"training.weekly_distance": ("week", "the weekly distances")}


def field_words(path: str, ruleset: Ruleset | None = None) -> str:
    """A field path in words: "week 2 of the weekly distances", "left heel raises"; an unknown path as it is."""
    match = _POSITION.match(path)
    if match and match["list"] in LISTS and not match["rest"]:
        item, words = LISTS[match["list"]]
        return f"{item} {int(match['index']) + 1} of {words}"
    if path == "_schema":
        return "the intake as a whole"
    if path in NAMES:
        return NAMES[path]
    known = path in SHORT_NAMES or (ruleset is not None and path in ruleset.inputs)
    return label(path, ruleset) if known else path


def fields_named(needs: list[str]) -> list[str]:
    """The intake fields (roster columns) a rule's needs name, in order, each once."""
    named: list[str] = []
    for need in needs:
        for path in _PATH.findall(need):
            if path.split(".")[0] in SECTIONS and path not in named:
                named.append(path)
    return named


def need_words(need: str, ruleset: Ruleset) -> str:
    """One need said without field paths: a known input by its words, compound needs as one phrase."""
    if need in ruleset.inputs or need in SHORT_NAMES:
        return label(need, ruleset)
    for pattern, words in _PAIRS:
        need = pattern.sub(words, need)
    return _PATH.sub(lambda m: field_words(m[0], ruleset), need)


def needs_for_coach(needs: list[str], ruleset: Ruleset, joiner: str = "; ") -> str:
    """A rule's needs in words, then the roster columns they name: "calf soreness (column wellness.soreness)"."""
    words = joiner.join(need_words(need, ruleset) for need in needs)
    named = fields_named(needs)
    if not named:
        return words
    return f"{words} (column{'s' if len(named) > 1 else ''} {', '.join(named)})"


def field_column(path: str) -> str | None:
    """The roster column a field path is in ("training.weekly_distance.1" -> "training.weekly_distance"), if any."""
    match = _POSITION.match(path)
    column = match["list"] if match and not match["rest"] else path
    return column if column.split(".")[0] in SECTIONS else None

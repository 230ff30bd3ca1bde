"""The code blocks of README.md and docs/*.md, and how a shown answer is compared with the real one.

A page's fenced blocks are either run (sh, bash, shell, console, python, py)
or shown answers (json, text, http or no language). A run block is skipped
when the line directly before it is `<!-- not-run: the reason -->` (a reason
is required), and may say the exit status it ends with on that line instead:
`<!-- exits: 1 -->`. The answer blocks after a run block (before the next run
block or heading) are what it prints, compared in the parts that do not
change: the HTTP status line and the headers shown, every field name shown,
and the stable values (score, band, referral, status, titles, ...).
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.paths import ROOT

RUN = {"sh", "bash", "shell", "console", "python", "py"}
ANSWER = {"", "text", "json", "http"}
FENCE = re.compile(r"^(\s*)```\s*([\w+-]*)")
MARK = re.compile(r"^\s*<!--\s*(not-run|exits):(.*?)-->\s*$")

# The values a shown answer must get right; everything else (ids, times, URLs) may differ.
STABLE = {
    "score",
    "band",
    "score_band",
    "urgency",
    "required",
    "to",
    "reasons",
    "status",
    "resourceType",
    "indicator",
    "title",
    "summary",
    "accepted",
    "stored",
    "hook",
    "rule",
    "points",
    "fired",
    "counted",
    "group",
    "errors",
    "severity",
    "code",
    "expression",
    "score_change",
    "band_change",
    "newly_fired",
    "cleared",
    "entered",
    "from_earlier",
    "weeks_ago",
}
# A shown list item with one of these keys is the real item with the same value there.
IDENTITY = ("rule", "linkId", "label", "url", "group", "band", "hook", "type")


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


@dataclass
class Block:
    page: Path
    line: int  # 1-based, the opening fence
    lang: str
    text: str
    mark: str = ""  # "not-run" or "exits"
    mark_value: str = ""
    answers: list["Block"] = field(default_factory=list)

    @property
    def runs(self) -> bool:
        return self.lang in RUN

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    """Every fenced block of `page`, with the answer blocks attached to the run block before them."""
    lines = page.read_text("utf-8").splitlines()
    found: list[Block] = []
    current: Block | None = None
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if lines[index].startswith("#"):
            current = None  # a heading ends what the last run block printed
        if not match:
            index += 1
            continue
        indent, lang = match.group(1), match.group(2).lower()
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith("```"):
            end += 1
        text = "\n".join(line[len(indent) :] for line in lines[index + 1 : end])
        block = Block(page, index + 1, lang, text + "\n")
        mark = MARK.match(lines[index - 1]) if index else None
        if mark:
            block.mark, block.mark_value = mark.group(1), mark.group(2).strip()
        if block.runs:
            current = block
        elif lang in ANSWER and current is not None:
            current.answers.append(block)
        found.append(block)
        index = end + 1
    return found


def split_http(text: str) -> tuple[list[str], str]:
    """(status line and header lines, body) of a `curl -si` answer; no headers for a bare body."""
    text = text.replace("\r\n", "\n")
    if not text.startswith("HTTP/"):
        return [], text
    head, _, body = text.partition("\n\n")
    return head.splitlines(), body


def parsed(text: str):
    """`text` as JSON, or None."""
    try:
        return json.loads(text)
    except ValueError:
        return None


def abbreviated(text: str):
    """JSON shown with bare `...` for what was left out (`[1, ...]`, `{"a": 1, ...}`), as JSON; or None."""
    text = DOUBLE_COMMA.sub(",", ELLIPSIS.sub("", text))
    return parsed(TRAILING_COMMA.sub(r"\1", LEADING_COMMA.sub(r"\1", text)))


ELLIPSIS = re.compile(r'(?<!["\w.])\.\.\.(?![\w."])')
DOUBLE_COMMA = re.compile(r",(?:\s*,)+")
TRAILING_COMMA = re.compile(r",(\s*[\]}])")
LEADING_COMMA = re.compile(r"([\[{]\s*),")


def compare_http(shown: list[str], real: list[str]) -> list[str]:
    """The status line, and each header shown (but Server, Date, X-Request-ID), as the real answer has them."""
    problems = []
    if shown[0] != real[0]:
        problems.append(f"status line: shown {shown[0]!r}, real {real[0]!r}")
    real_headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in real[1:])}
    for line in shown[1:]:
        name, _, value = line.partition(":")
        if name.lower() in ("server", "date", "x-request-id", "content-length"):
            continue
        if real_headers.get(name.lower()) != value.strip():
            problems.append(f"header {name}: shown {value.strip()!r}, real {real_headers.get(name.lower())!r}")
    return problems


def same_text(shown: str, real) -> bool:
    """Equal, or `shown` ends in '...' and the real text starts with what comes before it."""
    if isinstance(real, str) and isinstance(shown, str) and shown.endswith("..."):
        return real.startswith(shown[:-3].rstrip())
    return shown == real


def compare_json(shown, real, path: str = "$") -> list[str]:
    """Every field name shown is in the real answer, and every stable value shown is the real one."""
    problems: list[str] = []
    if not isinstance(shown, (dict, list)) and not any(mark in path for mark in ".["):
        return [] if shown == real else [f"{path}: shown {shown!r}, printed {real!r}"]  # a bare value, as printed
    if isinstance(shown, dict):
        if not isinstance(real, dict):
            return [f"{path}: shown an object, real {type(real).__name__}"]
        for key, value in shown.items():
            if key == "...":
                continue
            if key not in real:
                problems.append(f"{path}: field {key!r} shown, not in the real answer")
            elif key in STABLE and not isinstance(value, (dict, list)) and not same_text(value, real[key]):
                problems.append(f"{path}.{key}: shown {value!r}, real {real[key]!r}")
            elif key in STABLE and isinstance(value, list) and _scalars(value) and value != real[key]:
                problems.append(f"{path}.{key}: shown {value!r}, real {real[key]!r}")
            else:
                problems += compare_json(value, real[key], f"{path}.{key}")
    elif isinstance(shown, list) and isinstance(real, list):
        for position, item in enumerate(shown):
            if isinstance(item, dict):
                match = _matching(item, position, shown, real)
                if match is not None:
                    problems += compare_json(item, match, f"{path}[{position}]")
    return problems


def _scalars(values: list) -> bool:
    return all(not isinstance(value, (dict, list)) and value != "..." for value in values)


def _matching(item: dict, position: int, shown: list, real: list):
    """The real list item a shown one stands for: by position in a list shown whole, else by an identity field."""
    if "..." not in shown and len(shown) == len(real):
        return real[position]
    for key in IDENTITY:
        if key in item and not isinstance(item[key], (dict, list)):
            candidates = [other for other in real if isinstance(other, dict) and same_text(item[key], other.get(key))]
            if candidates:
                return candidates[0]
    return None


def compare_lines(shown: str, real: str) -> list[str]:
    """Plain text line by line: a JSON line as JSON, a line with '...' up to it, any other line exactly."""
    shown_lines = [line.strip() for line in shown.splitlines() if line.strip()]
    real_lines = [line.strip() for line in real.splitlines() if line.strip()]
    if len(shown_lines) != len(real_lines):
        return [f"{len(shown_lines)} lines shown, {len(real_lines)} printed"]
    problems = []
    for number, (line, printed) in enumerate(zip(shown_lines, real_lines, strict=True), 1):
        shown_json, real_json = parsed(line), parsed(printed)
        if shown_json is not None and real_json is not None:
            problems += compare_json(shown_json, real_json, f"line {number}")
        elif "..." in line:
            if not printed.startswith(line.split("...")[0].rstrip()):
                problems.append(f"line {number}: shown {line!r}, printed {printed!r}")
        elif line != printed:
            problems.append(f"line {number}: shown {line!r}, printed {printed!r}")
    return problems


def compare(answer: str, output: str, lang: str = "text") -> list[str]:
    """What differs between a shown answer and the real output, in the parts that do not change."""
    shown_head, shown_body = split_http(answer)
    real_head, real_body = split_http(output)
    problems: list[str] = []
    if shown_head:
        if not real_head:
            return [f"an HTTP answer shown ({shown_head[0]!r}), but the real output has no status line"]
        problems += compare_http(shown_head, real_head)
    shown_json = parsed(shown_body)
    if shown_json is None and lang == "json":
        shown_json = abbreviated(shown_body)
        if shown_json is None:
            return ["a JSON answer shown that does not parse, even without its '...'"]
    if shown_json is None and not shown_head:
        return problems + compare_lines(shown_body, real_body)
    if shown_json is None:
        return problems  # an abbreviated body (bare `...`): its status and headers were compared
    real_json = parsed(real_body)
    if real_json is None:
        return [*problems, "a JSON answer shown, but the real output is not JSON"]
    return problems + compare_json(shown_json, real_json)

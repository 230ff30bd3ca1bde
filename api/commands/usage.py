"""How every `soleus-screen` sub-command describes itself, so that `--help` reads the same everywhere.

A sub-command module registers with `add_command(subparsers, name, ...)`,
which asks for a one-line summary (the list in `soleus-screen --help`), a
description, and at least one example; the examples and the exit statuses
are laid out under the description. `soleus-screen --help` assembles the top:
two examples and where the documentation is.
"""

import argparse
import shutil
import textwrap

# Where the docs live: the repository's docs/ folder (and README.md), and the running service's API docs.
DOCS = (
    "documentation:\n"
    "  README.md and docs/ in the repository (scripts/docs serves them as a site on http://127.0.0.1:8001)\n"
    "  the running service's API at /docs (e.g. http://127.0.0.1:8000/docs)\n"
    "  soleus-screen COMMAND --help   a command's options, settings, examples and exit statuses"
)
EXAMPLES = (
    ("soleus-screen screen examples/intake.json", "one runner: a report at a terminal, JSON into a pipe"),
    ("soleus-screen roster examples/roster.csv --out club", "a club's roster: results and club/report.html"),
)


def examples_block(examples) -> str:
    """`examples:` and each (command, what it does) on its own lines."""
    lines = ["examples:"]
    for command, what in examples:
        lines.append(f"  {command}")
        lines.append(f"      {what}")
    return "\n".join(lines)


def wrapped(text: str) -> str:
    """`text`'s paragraphs filled to the terminal's width (at most 100 columns), as argparse does its own."""
    width = min(shutil.get_terminal_size().columns, 100) - 2
    return "\n\n".join(textwrap.fill(" ".join(part.split()), width) for part in text.split("\n\n"))


def top_epilog() -> str:
    return examples_block(EXAMPLES) + "\n\n" + DOCS


def add_command(
    subparsers,
    name: str,
    *,
    summary: str,
    description: str,
    examples,
    exit_statuses: str = "",
    settings: str = "",
) -> argparse.ArgumentParser:
    """Register sub-command `name`: `summary` in the top list, then its description, settings, examples, exits."""
    if not summary or not description or not examples:
        raise ValueError(f"sub-command {name!r} needs a summary, a description and at least one example")
    epilog = [part for part in (settings, examples_block(examples), exit_statuses) if part]
    return subparsers.add_parser(
        name,
        help=summary,
        description=wrapped(description),
        epilog="\n\n".join(epilog),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )

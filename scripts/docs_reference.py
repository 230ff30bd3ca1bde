"""Write the reference pages made from the code: docs/reference/settings.md and docs/reference/commands.md.

    .venv/bin/python scripts/docs_reference.py           # rewrite both pages
    .venv/bin/python scripts/docs_reference.py --check   # exit 1 if either is not what the code says

The settings come from api/settings.py (the one list) and the server options
from api/commands/serve.py; the commands page is every sub-command's own
`--help` (description, options, settings, examples, exit statuses).
tests/docs/test_docs_reference.py runs `--check`, so a new setting, option or exit
status that is not on the pages fails the tests until this script is run.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["COLUMNS"] = "100"  # help text wraps at the terminal's width: the same page on every machine

from api.commands import build_parser  # noqa: E402
from api.commands.serve import DEFAULTS  # noqa: E402
from api.settings import APP_SETTINGS  # noqa: E402

SERVER_OPTIONS = {
    "HOST": "the address to bind (--host)",
    "PORT": "the port to bind (--port)",
    "WORKERS": "gunicorn worker processes (--workers)",
    "THREADS": "threads per worker (--threads)",
    "READ_TIMEOUT": "seconds a client has to send its whole request, else 408 (--read-timeout)",
}

SETTINGS_HEAD = """# Settings

<!-- Written by scripts/docs_reference.py from api/settings.py and api/commands/serve.py: edit those, then run it. -->

Every setting is an environment variable `SOLEUS_<KEY>`, read at start
(values are read as JSON where they parse: `SOLEUS_BATCH_MAX_ROWS=500`,
`SOLEUS_CDS_CLIENTS='{"issuer": "jwks.json"}'`), or a key of the dictionary
given to `create_app({...})`. `soleus-screen serve --help` lists the same.

## The server

`scripts/serve` and `soleus-screen serve` take these as options or from the environment:

| variable | what it does | default |
|---|---|---|
"""

SETTINGS_APP = """
## The service

| variable | what it does and its default |
|---|---|
"""


def cell(text: str) -> str:
    """`text` in a Markdown table cell."""
    return text.replace("|", "\\|")


def settings_page() -> str:
    rows = [f"| `SOLEUS_{key}` | {what} | `{DEFAULTS[key]}` |" for key, what in SERVER_OPTIONS.items()]
    app = [f"| `SOLEUS_{key}` | {cell(what)} |" for key, what in APP_SETTINGS]
    return SETTINGS_HEAD + "\n".join(rows) + "\n" + SETTINGS_APP + "\n".join(app) + "\n"


def commands(parser: argparse.ArgumentParser, prefix: str):
    """(the command's name, its parser) for every sub-command under `parser`, depth first."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prefix} {name}", sub
                yield from commands(sub, f"{prefix} {name}")


def commands_page() -> str:
    parser = build_parser()
    parts = [
        "# Commands",
        "",
        "<!-- Written by scripts/docs_reference.py from each command's --help: edit the command, then run it. -->",
        "",
        "`soleus-screen` is installed into `.venv/bin` by `scripts/install`. Every command ends quietly "
        "into a closed pipe (`| head -1`) with status 141, as a shell reports SIGPIPE; Ctrl-C ends it "
        "with status 130. Each section is the command's own `--help`.",
        "",
        "## soleus-screen",
        "",
        "```text",
        parser.format_help().rstrip(),
        "```",
    ]
    for name, sub in commands(parser, "soleus-screen"):
        parts += ["", f"## {name}", "", "```text", sub.format_help().rstrip(), "```"]
    return "\n".join(parts) + "\n"


ENDPOINTS_START = "<!-- endpoints: written by scripts/docs_reference.py from the app's routes -->"
ENDPOINTS_END = "<!-- endpoints: end -->"
SKIPPED_ROUTES = {"static", "clinic.static", "docs_assets.static"}
# Where each address is explained: the first prefix that matches a route's path.
GUIDES = (
    ("/v1/screenings/batch", "../guides/roster.md", "the roster"),
    ("/v1/screenings/<", "../guides/history.md", "the history"),
    ("/v1/screenings", "../tutorial/first-screening.md", "the first screening"),
    ("/v1/runners", "../guides/history.md", "the history"),
    ("/v1/rules", "rulebook.md", "the rulebook"),
    ("/v1/audit", "../security.md", "security"),
    ("/fhir", "../guides/clinic-systems.md#fhir-r4", "FHIR"),
    ("/cds-services", "../guides/clinic-systems.md#cds-hooks-20", "CDS Hooks"),
    ("/rules", "rulebook.md", "the rulebook"),
    ("/health", "#health-readiness-and-the-api-document", "above"),
    ("/ready", "#health-readiness-and-the-api-document", "above"),
    ("/openapi.json", "#health-readiness-and-the-api-document", "above"),
    ("/docs", "#health-readiness-and-the-api-document", "above"),
    ("/login", "../security.md", "security"),
    ("/logout", "../security.md", "security"),
    ("/account", "../security.md", "security"),
    ("/", "../tutorial/clinic-form.md", "the clinic form"),
)


def guide(path: str) -> str:
    """A link to the page that explains `path`."""
    target, title = next((target, title) for prefix, target, title in GUIDES if path.startswith(prefix))
    return f"[{title}]({target})"


def endpoint_rows() -> list[str]:
    """Every route the service answers (but its static files), with its methods and its view's first line."""
    import tempfile

    from api import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"STORE": "off", "AUTH": "on", "DATABASE_URL": f"sqlite:///{folder}/routes.sqlite3"})
    rows = ["| method | path | what | see |", "|---|---|---|---|"]
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, sorted(rule.methods or ()))):
        if rule.endpoint in SKIPPED_ROUTES:
            continue
        doc = (app.view_functions[rule.endpoint].__doc__ or "").strip().split("\n\n")[0]
        what = " ".join(doc.split()) or "the same as `/docs`"
        methods = ", ".join(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))
        rows.append(f"| {methods} | `{rule.rule}` | {cell(what)} | {guide(rule.rule)} |")
    return rows


def endpoints_page() -> str:
    path = ROOT / "docs" / "reference" / "endpoints.md"
    text = path.read_text("utf-8")
    head, _, rest = text.partition(ENDPOINTS_START)
    _, _, tail = rest.partition(ENDPOINTS_END)
    return head + ENDPOINTS_START + "\n\n" + "\n".join(endpoint_rows()) + "\n\n" + ENDPOINTS_END + tail


EVIDENCE_HEAD = """# The evidence

<!-- Written by scripts/docs_reference.py from the ruleset in rules/: edit the rule data, then run it. -->

Every point a rule scores comes from an effect size in the rule data, or says
`design choice`; every threshold carries its citation and grade, or says
`design choice`. This page lists them as the packaged ruleset holds them
(`GET /v1/rules` and the rulebook page `/rules` serve the same, rule by rule;
`rules/CHANGELOG.md` says why each changed). Grades: **A** systematic review,
RCT or large prospective cohort; **B** single cohort, validated instrument or
guideline; **C** small or cross-sectional study; **D** expert opinion.
Points are `round(ln(effect) / ln B)` with `B = 2^(1/10)`: every 10 points
double the risk multiple.
"""


def evidence_page() -> str:
    from screening.derive import COMPUTED
    from screening.ruleset.loader import load_ruleset

    ruleset = load_ruleset(ROOT / "rules", computed=COMPUTED)
    cited = lambda evidence: "; ".join(f"{item.citation} ({item.grade})" for item in evidence) or "design choice"  # noqa: E731
    parts = [EVIDENCE_HEAD, f"Ruleset **{ruleset.name} {ruleset.version}**.", "", "## The rules", ""]
    parts += ["| rule | points | where the points come from | evidence |", "|---|---|---|---|"]
    for rule in ruleset.rules:
        basis, evidence = cell(rule.points_basis), cell(cited(rule.evidence))
        parts.append(f"| `{rule.id}`: {cell(rule.title)} | {rule.points} | {basis} | {evidence} |")
    parts += ["", "## The thresholds", "", "| threshold | value | what | reference |", "|---|---|---|---|"]
    for name, parameter in sorted(ruleset.parameters.items()):
        value = f"{parameter.value:g} {parameter.unit}".strip()
        reference = cited(parameter.reference) if parameter.basis != "design choice" else "design choice"
        parts.append(f"| `{name}` | {cell(value)} | {cell(parameter.description)} | {cell(reference)} |")
    norms = ruleset.heel_raise_norms
    parts += ["", "## The heel-raise reference", "", f"{norms.description} ({norms.unit}): {cited(norms.reference)}."]
    return "\n".join(parts) + "\n"


PAGES = {
    ROOT / "docs" / "reference" / "evidence.md": evidence_page,
    ROOT / "docs" / "reference" / "endpoints.md": endpoints_page,
    ROOT / "docs" / "reference" / "settings.md": settings_page,
    ROOT / "docs" / "reference" / "commands.md": commands_page,
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Write (or --check) the reference pages made from the code.")
    parser.add_argument("--check", action="store_true", help="exit 1 if a page differs from what the code says")
    args = parser.parse_args(argv)
    stale = []
    for path, make in PAGES.items():
        text = make()
        if args.check:
            if not path.exists() or path.read_text("utf-8") != text:
                stale.append(path.relative_to(ROOT).as_posix())
        else:
            path.write_text(text, "utf-8")
    if stale:
        print(
            f"not what the code says: {', '.join(stale)}; run .venv/bin/python scripts/docs_reference.py",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

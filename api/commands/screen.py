"""`soleus-screen screen`: screen one intake file and print the result (exit statuses in EXIT_STATUSES).

The result is a report for a clinician at a terminal and JSON (the API's
result) when the output goes to a pipe or a file, so scripts that pipe it keep
getting JSON; `--format` chooses either, or a FHIR RiskAssessment.
"""

import json
import sys

from api.commands.exits import EXIT_INVALID, EXIT_OK, EXIT_SOFTWARE, EXIT_UNUSABLE
from api.commands.usage import add_command
from screening.errors import EngineError, IntakeError
from screening.intake.json_keys import DuplicateKey, unique_object

EXIT_STATUSES = """exit status:
  0   screened
  1   the intake is invalid (field errors on stderr)
  2   unusable input (missing file, not JSON, a roster) or bad usage
  70  internal error"""


ROSTER_HINT = "this looks like a roster: use soleus-screen roster {path} --out DIR"


def _read_json(path: str):
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as error:
        raise _Unusable(f"{path}: cannot read: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise _Unusable(f"{path}: not valid JSON: {error}") from error
    try:
        payload = json.loads(text, object_pairs_hook=unique_object)
    except (json.JSONDecodeError, DuplicateKey) as error:
        if _looks_like_csv(text):
            raise _Unusable(f"{path}: {ROSTER_HINT.format(path=path)}") from error
        raise _Unusable(f"{path}: not valid JSON: {error}") from error
    if isinstance(payload, list):
        raise _Unusable(f"{path}: a JSON array of intakes: {ROSTER_HINT.format(path=path)}")
    return payload


def _looks_like_csv(text: str) -> bool:
    """A first line that names the contract's columns (runner.id, ...), comma-, semicolon- or tab-separated."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return "runner.id" in first and any(separator in first for separator in ",;\t")


class _Unusable(Exception):
    """The input cannot be read at all."""


def print_field_errors(errors: dict, stream=sys.stderr) -> None:
    """Each error as "field: message", list positions counted from 1 and the message in plain words."""
    from screening.intake.messages import field_in_words, plain_message

    for path, messages in sorted(errors.items()):
        for message in messages:
            print(f"{field_in_words(path)}: {plain_message(message)}", file=stream)


def run_screen(args) -> int:
    from screening.result.text_note import render
    from screening.service import default_screener

    screener = default_screener()
    try:
        payload = _read_json(args.file)
        intake = screener.validate(payload)
        result = screener.screen_valid(intake)
    except _Unusable as error:
        print(f"soleus-screen: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    except IntakeError as error:
        print("soleus-screen: invalid intake:", file=sys.stderr)
        print_field_errors(error.errors)
        return EXIT_INVALID
    except EngineError as error:
        print(f"soleus-screen: {error}", file=sys.stderr)
        return EXIT_SOFTWARE
    if (args.format or ("text" if sys.stdout.isatty() else "json")) == "text":
        sys.stdout.write(render(result, screener.ruleset, intake))
    elif args.format == "fhir":
        from screening.interop.risk_assessment import risk_assessment

        json.dump(risk_assessment(result), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    return EXIT_OK


def add_screen(subparsers) -> None:
    parser = add_command(
        subparsers,
        "screen",
        summary="screen one runner's intake (JSON) and print the result",
        description="Screen one runner's intake (a JSON object, as POST /v1/screenings takes) and print the "
        "result: at a terminal a report for a clinician, into a pipe or a file the API's JSON result (choose "
        "with --format). Nothing is stored. A club's roster (CSV, or a JSON array) is for `soleus-screen roster`.",
        examples=(
            ("soleus-screen screen examples/intake.json", "the report at a terminal"),
            ("soleus-screen screen examples/intake.json | jq .risk", "JSON into a pipe"),
            ("soleus-screen screen - --format fhir < intake.json", "a FHIR R4 RiskAssessment, from standard input"),
        ),
        exit_statuses=EXIT_STATUSES,
    )
    parser.add_argument("file", help="intake JSON file, or - for standard input")
    parser.add_argument(
        "--format",
        choices=("text", "json", "fhir"),
        default=None,
        help="text (a report for a clinician; the default at a terminal), json (the API's result; the default "
        "into a pipe or file) or fhir (a FHIR R4 RiskAssessment)",
    )
    parser.set_defaults(handler=run_screen)

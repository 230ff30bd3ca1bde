"""`soleus-screen screen`: screen one intake file and print the result (exit statuses in EXIT_STATUSES)."""

import argparse
import json
import sys

from api.commands.exits import EXIT_INVALID, EXIT_OK, EXIT_SOFTWARE, EXIT_UNUSABLE
from screening.errors import EngineError, IntakeError
from screening.intake.json_keys import DuplicateKey, unique_object

EXIT_STATUSES = """exit status:
  0   screened
  1   the intake is invalid (field errors on stderr)
  2   unusable input (missing file, not JSON) or bad usage
  70  internal error"""


def _read_json(path: str):
    try:
        if path == "-":
            return json.load(sys.stdin, object_pairs_hook=unique_object)
        with open(path, encoding="utf-8") as handle:
            return json.load(handle, object_pairs_hook=unique_object)
    except OSError as error:
        raise _Unusable(f"{path}: cannot read: {error.strerror}") from error
    except (json.JSONDecodeError, UnicodeDecodeError, DuplicateKey) as error:
        raise _Unusable(f"{path}: not valid JSON: {error}") from error


class _Unusable(Exception):
    """The input cannot be read at all."""


def print_field_errors(errors: dict, stream=sys.stderr) -> None:
    """Each error as "field: message", list positions counted from 1 and the message in plain words."""
    from screening.result.wording import field_in_words, plain_message

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
    if args.format == "text":
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
    parser = subparsers.add_parser(
        "screen",
        help="screen one runner's intake (JSON)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EXIT_STATUSES,
    )
    parser.add_argument("file", help="intake JSON file, or - for standard input")
    parser.add_argument(
        "--format",
        choices=("json", "text", "fhir"),
        default="json",
        help="json (the API's result), text (a report for a clinician) or fhir (a FHIR R4 RiskAssessment)",
    )
    parser.set_defaults(handler=run_screen)

"""The `soleus-screen` command line.

    soleus-screen screen FILE.json [--format json|text]     screen one intake ('-' = stdin)

Exit status: 0 screened; 1 the intake is invalid (field errors on stderr);
2 unusable input (missing file, not JSON) or bad usage; 70 internal error.
"""
import argparse
import json
import sys

from api.cli import add_serve

from .errors import EngineError, IntakeError
from .roster.command import add_roster

EXIT_OK, EXIT_INVALID, EXIT_UNUSABLE, EXIT_SOFTWARE = 0, 1, 2, 70


def _read_json(path: str):
    try:
        if path == "-":
            return json.load(sys.stdin)
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as error:
        raise _Unusable(f"{path}: cannot read: {error.strerror}") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise _Unusable(f"{path}: not valid JSON: {error}") from error


class _Unusable(Exception):
    """The input cannot be read at all."""


def print_field_errors(errors: dict, stream=sys.stderr) -> None:
    for path, messages in sorted(errors.items()):
        for message in messages:
            print(f"{path}: {message}", file=stream)


def run_screen(args) -> int:
    from .service import default_screener
    from .text_report import render

    try:
        payload = _read_json(args.file)
        result = default_screener().screen(payload)
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
        sys.stdout.write(render(result))
    else:
        json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    return EXIT_OK


def add_screen(subparsers) -> None:
    parser = subparsers.add_parser("screen", help="screen one runner's intake (JSON)")
    parser.add_argument("file", help="intake JSON file, or - for standard input")
    parser.add_argument("--format", choices=("json", "text"), default="json",
                        help="json (the API's result) or text (a report for a clinician)")
    parser.set_defaults(handler=run_screen)


# Each entry adds one subcommand; its handler returns the exit status.
COMMANDS = [add_screen, add_roster, add_serve]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="soleus-screen", description=__doc__.split("\n\n")[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for add in COMMANDS:
        add(subparsers)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())

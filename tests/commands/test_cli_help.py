"""`--help` shows examples and where the docs are; every sub-command describes itself; serve lists its settings."""

import argparse
import re

import pytest

from api.commands import build_parser
from api.settings import APP_SETTINGS, INTERNAL
from tests.support.paths import ROOT


def help_of(capsys, *args: str) -> str:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([*args, "--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


def sub_commands(parser: argparse.ArgumentParser, path=()):
    """(path, parser) of every sub-command, at any depth (db upgrade, ...)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from sub_commands(sub, (*path, name))


def test_the_top_help_shows_two_examples_and_where_the_docs_are(capsys):
    text = help_of(capsys)
    examples = text.split("examples:", 1)[1].split("documentation:", 1)[0]
    assert len(re.findall(r"^  soleus-screen ", examples, re.MULTILINE)) >= 2
    docs = text.split("documentation:", 1)[1]
    assert "docs/" in docs and "/docs" in docs.replace("docs/", "")


def test_every_sub_command_has_a_summary_a_description_and_an_example(capsys):
    commands = list(sub_commands(build_parser()))
    assert {path[0] for path, _ in commands} >= {"screen", "roster", "serve", "db"}
    for path, parser in commands:
        assert parser.description, f"{' '.join(path)} has no description"
        text = help_of(capsys, *path)
        assert "examples:\n  soleus-screen " in text, f"{' '.join(path)} --help shows no example"
        assert "exit status" in text, f"{' '.join(path)} --help lists no exit statuses"


def test_serve_help_lists_every_setting_it_reads(capsys):
    text = help_of(capsys, "serve")
    for name in ("HOST", "PORT", "WORKERS", "THREADS", "READ_TIMEOUT"):
        assert f"SOLEUS_{name}" in text
    for key, _ in APP_SETTINGS:
        assert f"SOLEUS_{key}" in text


def config_keys_read() -> set[str]:
    """Every key the service's code reads from its config (`config["X"]`, `config.get("X"...)`)."""
    found: set[str] = set()
    for path in (ROOT / "api").rglob("*.py"):
        found |= set(re.findall(r"config(?:\.get\(|\[)\s*\"([A-Z][A-Z0-9_]+)\"", path.read_text(encoding="utf-8")))
    return found


def test_the_settings_list_names_every_setting_the_service_reads():
    keys = config_keys_read()
    assert {"STORE", "DATABASE_URL", "CDS_CLIENTS"} <= keys  # the search finds them
    listed = {key for key, _ in APP_SETTINGS}
    assert keys - listed - INTERNAL == set()

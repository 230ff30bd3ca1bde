"""The reference pages say what the code says: every setting, every command with its exit statuses, every route."""

import subprocess
import sys

from api.commands import build_parser
from api.settings import APP_SETTINGS
from tests.support.paths import ROOT

REFERENCE = ROOT / "docs" / "reference"


def test_the_reference_pages_are_what_the_code_says():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "docs_reference.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_the_settings_page_lists_every_setting():
    page = (REFERENCE / "settings.md").read_text("utf-8")
    missing = [key for key, _ in APP_SETTINGS if f"`SOLEUS_{key}`" not in page]
    assert missing == []
    for server_option in ("HOST", "PORT", "WORKERS", "THREADS", "READ_TIMEOUT"):
        assert f"`SOLEUS_{server_option}`" in page


def test_the_commands_page_has_every_command_with_its_exit_statuses():
    page = (REFERENCE / "commands.md").read_text("utf-8")
    parser = build_parser()
    subcommands = next(action for action in parser._actions if action.dest == "command").choices
    for name, sub in subcommands.items():
        assert f"## soleus-screen {name}\n" in page
        assert "exit status" in sub.format_help() or name in ("db", "keys", "users", "audit")
    assert page.count("exit status:") >= 10


def test_the_endpoints_page_names_health_ready_and_the_openapi_document():
    page = (REFERENCE / "endpoints.md").read_text("utf-8")
    for path in (
        "`/health`",
        "`/ready`",
        "`/openapi.json`",
        "`/v1/screenings`",
        "`/fhir/QuestionnaireResponse/$screen`",
    ):
        assert path in page

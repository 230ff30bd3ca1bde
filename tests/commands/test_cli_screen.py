"""`soleus-screen screen` prints the result, a clinician's text, or field errors."""

import json
import os
import subprocess
import sys

import pytest

from api.commands import build_parser, main
from api.commands.exits import EXIT_INVALID, EXIT_OK, EXIT_UNUSABLE
from screening import default_screener
from screening.result.conditions import condition_in_words
from tests.support.paths import ROOT

EXAMPLE = ROOT / "examples" / "intake.json"


def test_screen_prints_the_contract_result_as_json(capsys):
    assert main(["screen", str(EXAMPLE)]) == EXIT_OK
    result = json.loads(capsys.readouterr().out)
    assert result["runner_id"] == "club-0042"
    assert result["risk"]["band"] in ("low", "moderate", "high")


def test_screen_text_report_names_band_referral_and_each_rule_with_evidence(capsys):
    assert main(["screen", str(EXAMPLE), "--format", "text"]) == EXIT_OK
    text = capsys.readouterr().out
    main(["screen", str(EXAMPLE)])
    result = json.loads(capsys.readouterr().out)
    risk = result["risk"]
    multiple = f"about {risk['relative_risk']['value']:.1f}x the risk of a runner with none of these factors"
    assert f"Risk: {risk['band'].upper()} (score {risk['score']}, {multiple})" in text
    assert "Bands: low 0-9 (under 2x), moderate 10-19 (2-4x), high 20+ (4x and over)" in text
    ruleset = default_screener().ruleset
    intake = default_screener().validate(json.loads(EXAMPLE.read_text()))
    flat = " ".join(text.split())
    for entry in result["explanation"]:
        # Title first, id second, and the condition said with the runner's own values; a rule that adds no
        # points is said as information (or as referring), not "+0 points".
        effect = (
            f"{entry['points']:+d} points"
            if entry["points"]
            else ("refers" if entry["referral"] != "none" else "information")
        )
        assert f"{entry['title']} ({effect}) [{entry['rule']}]" in flat
        assert f"read: {condition_in_words(ruleset.rule(entry['rule']), entry['inputs'], ruleset)}" in flat
        assert f"evidence [{entry['evidence'][0]['grade']}]" in text
    reasons = "; ".join(ruleset.rule(rule_id).title for rule_id in result["referral"]["reasons"])
    assert f"(because {reasons})" in flat
    assert "What was entered" in text and f"Fatigue (0-10): {intake['wellness']['fatigue']}" in text
    assert result["disclaimer"] in text


def test_screen_text_report_opens_with_an_urgent_banner_for_a_red_flag(tmp_path, capsys):
    payload = json.loads(EXAMPLE.read_text())
    payload["red_flags"]["calf_swelling"] = True
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(payload))
    assert main(["screen", str(path), "--format", "text"]) == EXIT_OK
    assert capsys.readouterr().out.startswith("!" * 10)


@pytest.mark.parametrize(("flag", "escalates"), [("calf_swelling", True), ("sudden_pop_or_snap", False)])
def test_screen_text_says_the_clot_escalation_line_first_in_the_banner_and_only_for_a_clot(
    tmp_path, capsys, flag, escalates
):
    payload = json.loads(EXAMPLE.read_text())
    payload["red_flags"][flag] = True
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(payload))
    assert main(["screen", str(path), "--format", "text"]) == EXIT_OK
    banner = capsys.readouterr().out.split("\n\n", 1)[0].splitlines()
    line = "!! IF YOU BECOME BREATHLESS OR HAVE CHEST PAIN, CALL THE EMERGENCY NUMBER NOW."
    assert (banner[1] == line) is escalates
    assert any(row.startswith("!! URGENT") for row in banner)


def _screen_stdin(payload: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "api.commands", "screen", "-"],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_screen_reads_stdin_and_reports_field_errors_with_a_nonzero_status():
    bad = json.loads(EXAMPLE.read_text())
    bad["heel_raise"]["left"] = 7.5
    done = _screen_stdin(bad)
    assert done.returncode == EXIT_INVALID
    assert "heel_raise.left: Expected a whole number, got 7.5." in done.stderr
    assert done.stdout == ""


def test_field_errors_count_weeks_from_1_in_plain_words():
    bad = json.loads(EXAMPLE.read_text())
    bad["training"]["weekly_distance"][2] = -5
    bad["runner"]["age"] = 7
    done = _screen_stdin(bad)
    assert done.returncode == EXIT_INVALID
    assert "week 3 of training.weekly_distance: Enter 0 or more." in done.stderr
    assert "runner.age: Enter a number from 12 to 100." in done.stderr


def test_screen_reports_a_missing_file_and_invalid_json_as_unusable(tmp_path, capsys):
    assert main(["screen", str(tmp_path / "nope.json")]) == EXIT_UNUSABLE
    assert "cannot read" in capsys.readouterr().err
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert main(["screen", str(broken)]) == EXIT_UNUSABLE
    assert "not valid JSON" in capsys.readouterr().err


def test_version_comes_from_the_package_metadata(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"soleus-screen {version('soleus-screen')}"


def test_help_says_what_the_tool_does_and_screen_help_lists_exit_statuses(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    assert "soleus strain risk" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        build_parser().parse_args(["screen", "--help"])
    out = capsys.readouterr().out
    assert "exit status" in out and "70" in out


def test_screen_prints_the_clinicians_report_at_a_terminal_and_json_into_a_pipe():
    import pty

    command = [sys.executable, "-m", "api.commands", "screen", str(EXAMPLE)]
    piped = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert json.loads(piped.stdout)["runner_id"] == "club-0042"
    main_end, child_end = pty.openpty()
    try:
        done = subprocess.run(command, stdout=child_end, stderr=subprocess.PIPE, timeout=60)
        os.close(child_end)
        text = b""
        while True:
            try:
                chunk = os.read(main_end, 65536)
            except OSError:  # EIO: the terminal's other end is closed and all is read
                break
            if not chunk:
                break
            text += chunk
    finally:
        os.close(main_end)
    assert done.returncode == EXIT_OK
    assert b"Risk: " in text and not text.lstrip().startswith(b"{")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(ROOT.joinpath("examples", "roster.csv").read_text(), id="csv"),
        pytest.param("runner.id\trunner.age\nclub-1\t30\n", id="tab-separated"),
        pytest.param(json.dumps([json.loads(EXAMPLE.read_text())]), id="json-array"),
    ],
)
def test_a_roster_given_to_screen_says_to_use_roster(tmp_path, capsys, content):
    path = tmp_path / "club.csv"
    path.write_text(content, encoding="utf-8")
    assert main(["screen", str(path)]) == EXIT_UNUSABLE
    err = capsys.readouterr().err
    assert "this looks like a roster: use soleus-screen roster" in err
    assert len(err.strip().splitlines()) == 1

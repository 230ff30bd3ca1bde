"""The rule loader rejects every kind of broken rule data, naming file and rule.

Each broken fixture is the real ruleset with one edit (file, text to replace,
replacement), so a case shows exactly which mistake the loader must catch.
"""

import shutil

import pytest

from rules import RULES_DIR
from screening import RulesError
from screening.ruleset.loader import load_ruleset

BROKEN = [
    (
        "unknown key in a rule",
        "load.yaml",
        "    points: 15\n",
        "    points: 15\n    pointz: 3\n",
        ["load.yaml", "load.single_run_spike_extreme", "unknown key 'pointz'"],
    ),
    (
        "duplicate key in a mapping",
        "history.yaml",
        "    points: 6\n",
        "    points: 6\n    points: 9\n",
        ["history.yaml", "duplicate key 'points'"],
    ),
    (
        "rule without evidence",
        "history.yaml",
        '    evidence:\n      - {citation: "Green & Pizzari 2017, BJSM 51:1189 (older age and previous calf strain '
        'the two strongest predictors)", grade: A}\n      - {citation: "Hägglund et al. 2013, AJSM 41:327 '
        '(above-mean age HR 1.93)", grade: B}\n',
        "",
        ["history.yaml", "history.age_40_plus", "no evidence", "design choice"],
    ),
    (
        "unknown threshold",
        "strength.yaml",
        "threshold: strength.very_low_reps",
        "threshold: strength.nope",
        ["strength.yaml", "strength.very_low", "unknown threshold 'strength.nope'"],
    ),
    (
        "unknown input",
        "wellness.yaml",
        "{input: wellness.fatigue,",
        "{input: wellness.tiredness,",
        ["wellness.yaml", "wellness.fatigue_high", "unknown input 'wellness.tiredness'"],
    ),
    (
        "unknown recommendation",
        "load.yaml",
        "recommendations: [rec.strength_training]\n",
        "recommendations: [rec.more_cake]\n",
        ["load.yaml", "load.no_strength_training", "rec.more_cake"],
    ),
    (
        "duplicate rule id",
        "history.yaml",
        "id: history.calf_strain_earlier",
        "id: history.calf_strain_recent",
        ["history.yaml", "history.calf_strain_recent", "duplicate rule id"],
    ),
    (
        "rule id outside its group",
        "load.yaml",
        "id: load.weekly_increase",
        "id: wellness.weekly_increase",
        ["load.yaml", "wellness.weekly_increase", "must start with 'load.'"],
    ),
    (
        "unsupported operator",
        "wellness.yaml",
        'op: ">=", threshold: wellness.fatigue_high',
        'op: "=>", threshold: wellness.fatigue_high',
        ["wellness.yaml", "wellness.fatigue_high", "op"],
    ),
    (
        "'is' on a number input",
        "history.yaml",
        '{input: runner.age, op: ">=", threshold: history.masters_age}',
        "{input: runner.age, is: true}",
        ["history.yaml", "history.age_40_plus", "boolean"],
    ),
    (
        "comparison without a right-hand side",
        "history.yaml",
        '{input: runner.age, op: ">=", threshold: history.masters_age}',
        '{input: runner.age, op: ">="}',
        ["history.yaml", "history.age_40_plus", "threshold"],
    ),
    (
        "threshold without a source",
        "parameters/wellness.yaml",
        '  reference:\n    - {citation: "Silbernagel et al. 2007, pain-monitoring model (0-3 safe, 4-5 acceptable, '
        '>5 not)", grade: B}\n',
        "",
        ["parameters/wellness.yaml", "wellness.pain_running_acceptable", "no reference"],
    ),
    (
        "threshold that is not a number",
        "parameters/history.yaml",
        "  value: 40\n",
        '  value: "40"\n',
        ["parameters/history.yaml", "history.masters_age", "Expected a number"],
    ),
    (
        "red flag that no longer refers urgently",
        "red_flags.yaml",
        "      - {input: red_flags.previous_dvt, is: true}\n    points: 0\n    referral: urgent",
        "      - {input: red_flags.previous_dvt, is: true}\n    points: 0\n    referral: soon",
        ["red_flags.yaml", "red_flags.previous_dvt", "urgent"],
    ),
    (
        "score bands that do not rise",
        "ruleset.yaml",
        "{band: high, from: 30}",
        "{band: high, from: 10}",
        ["ruleset.yaml", "bands"],
    ),
    ("invalid YAML", "load.yaml", "rules:\n", "rules: [\n", ["load.yaml"]),
    (
        "input with an unknown type",
        "inputs.yaml",
        "runner.age: {type: number,",
        "runner.age: {type: integer,",
        ["inputs.yaml", "runner.age", "type"],
    ),
]


@pytest.fixture
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def test_the_packaged_ruleset_loads_with_every_rule_sourced():
    ruleset = load_ruleset(RULES_DIR)
    assert ruleset.version
    for rule in ruleset.rules:
        assert rule.evidence or rule.basis == "design choice", rule.id
    for parameter in ruleset.parameters.values():
        assert parameter.reference or parameter.basis == "design choice", parameter.name


@pytest.mark.parametrize("mode, file, old, new, expected", BROKEN, ids=[case[0] for case in BROKEN])
def test_loader_rejects_broken_rule_data(rules_copy, mode, file, old, new, expected):
    path = rules_copy / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"fixture for {mode!r} does not match {file} exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(RulesError) as raised:
        load_ruleset(rules_copy)
    for part in expected:
        assert part in str(raised.value), f"{part!r} not in {raised.value}"


def test_loader_names_a_missing_file(rules_copy):
    (rules_copy / "norms.yaml").unlink()
    with pytest.raises(RulesError, match="norms.yaml"):
        load_ruleset(rules_copy)


def test_a_design_choice_needs_no_citation(rules_copy):
    path = rules_copy / "load.yaml"
    text = path.read_text(encoding="utf-8")
    old = (
        '    evidence:\n      - {citation: "Lauersen et al. 2018, BJSM 52:1557 (strength training cuts sports '
        'injuries, RR 0.34)", grade: A}\n'
    )
    assert text.count(old) == 1
    path.write_text(text.replace(old, "    basis: design choice\n"), encoding="utf-8")
    rule = load_ruleset(rules_copy).rule("load.no_strength_training")
    assert rule.basis == "design choice" and rule.evidence == ()

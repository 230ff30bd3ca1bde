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
        "    points_at_least: load.single_run_spike\n",
        "    points_at_least: load.single_run_spike\n    pointz: 3\n",
        ["load.yaml", "load.single_run_spike_large", "unknown key 'pointz'"],
    ),
    (
        "duplicate key in a mapping",
        "history.yaml",
        "      value: 1.93\n",
        "      value: 1.93\n      value: 9\n",
        ["history.yaml", "duplicate key 'value'"],
    ),
    (
        "rule without evidence",
        "history.yaml",
        '    evidence:\n      - {citation: "Hulme et al. 2017, Sports Med 47:869 (any previous running injury a '
        'consistent risk factor)", grade: A}\n',
        "",
        ["history.yaml", "history.previous_running_injury", "no evidence", "design choice"],
    ),
    (
        "unknown threshold",
        "strength.yaml",
        "threshold: strength.very_low_fraction",
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
        "id: history.calf_strain_within_8_weeks",
        ["history.yaml", "history.calf_strain_within_8_weeks", "duplicate rule id"],
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
        '  reference:\n    - {citation: "Silbernagel et al. 2007, pain-monitoring model for loading an Achilles '
        'tendinopathy (0-3 safe, 4-5 acceptable, >5 not)", grade: B}\n',
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
        "      - {input: red_flags.pitting_oedema, is: true}\n    points: 0\n    points_basis: design choice\n"
        "    referral: urgent",
        "      - {input: red_flags.pitting_oedema, is: true}\n    points: 0\n    points_basis: design choice\n"
        "    referral: soon",
        ["red_flags.yaml", "red_flags.pitting_oedema", "urgent"],
    ),
    (
        "score bands that do not rise",
        "ruleset.yaml",
        "{band: high, from_relative_risk: 4}",
        "{band: high, from_relative_risk: 2}",
        ["ruleset.yaml", "bands"],
    ),
    (
        "hand-typed points beside an effect size",
        "history.yaml",
        "      grade: B\n    referral: none\n    recommendations: [rec.strength_training]\n",
        "      grade: B\n    points: 9\n    referral: none\n    recommendations: [rec.strength_training]\n",
        ["history.yaml", "history.age_40_plus", "computed from the effect"],
    ),
    (
        "points without an effect size or a design-choice basis",
        "wellness.yaml",
        "    points: 3\n    points_basis: design choice\n    referral: none\n    recommendations: [rec.load_management",
        "    points: 3\n    referral: none\n    recommendations: [rec.load_management",
        ["wellness.yaml", "wellness.fatigue_high", "design choice"],
    ),
    (
        "a design-choice weight over the cap",
        "history.yaml",
        "    points: 5\n    points_basis: design choice\n    referral: none\n"
        "    recommendations: [rec.strength_training]",
        "    points: 8\n    points_basis: design choice\n    referral: none\n"
        "    recommendations: [rec.strength_training]",
        ["history.yaml", "history.previous_running_injury", "over the cap"],
    ),
    (
        "a design-choice cap as high as the weakest evidence-based factor",
        "ruleset.yaml",
        "design_choice_max_points: 5",
        "design_choice_max_points: 7",
        ["ruleset.yaml", "design_choice_max_points", "weakest"],
    ),
    (
        "an effect outside its own confidence interval",
        "history.yaml",
        "      value: 1.93\n",
        "      value: 3.1\n",
        ["history.yaml", "history.age_40_plus", "outside its CI"],
    ),
    (
        "a DVT risk factor that refers urgently on its own",
        "red_flags.yaml",
        "      - {input: red_flags.active_cancer, is: true}\n"
        "      - {input: derived.calf_symptom, is: false}\n"
        "    context: [wellness.soreness, wellness.pain_while_running]\n    points: 0\n"
        "    points_basis: design choice\n"
        "    referral: none",
        "      - {input: red_flags.active_cancer, is: true}\n"
        "    context: [wellness.soreness, wellness.pain_while_running]\n    points: 0\n"
        "    points_basis: design choice\n"
        "    referral: urgent",
        ["red_flags.yaml", "red_flags.active_cancer", "must not refer urgently on its own"],
    ),
    (
        "a present injury that does not refer soon or urgently",
        "wellness.yaml",
        "    referral: soon\n    present_injury: true\n    recommendations: [rec.physio_assessment]\n"
        "    note: Triage safety net; refers whatever the days.",
        "    referral: routine\n    present_injury: true\n    recommendations: [rec.physio_assessment]\n"
        "    note: Triage safety net; refers whatever the days.",
        ["wellness.yaml", "wellness.calf_soreness_severe", "present injury must refer soon or urgent"],
    ),
    (
        "an escalation nobody defined",
        "red_flags.yaml",
        "    escalation: clot\n    recommendations: [rec.urgent_medical]\n"
        '    evidence:\n      - {citation: "Wells et al. 1997, Lancet 350:1795 (calf >=3 cm larger',
        "    escalation: fire\n    recommendations: [rec.urgent_medical]\n"
        '    evidence:\n      - {citation: "Wells et al. 1997, Lancet 350:1795 (calf >=3 cm larger',
        ["red_flags.yaml", "red_flags.calf_swelling", "unknown escalation 'fire'"],
    ),
    (
        "an escalation on a rule that does not refer urgently",
        "wellness.yaml",
        "    referral: soon\n    present_injury: true\n    recommendations: [rec.physio_assessment]\n"
        "    note: Triage safety net; refers whatever the days.",
        "    referral: soon\n    present_injury: true\n    escalation: clot\n"
        "    recommendations: [rec.physio_assessment]\n    note: Triage safety net; refers whatever the days.",
        ["wellness.yaml", "wellness.calf_soreness_severe", "escalation goes with an urgent referral"],
    ),
    (
        "a taper on a rule without a measured effect",
        "history.yaml",
        "    points_basis: design choice\n    referral: none\n    recommendations: [rec.soleus_loading]\n",
        "    points_basis: design choice\n    taper: {input: derived.calf_strain_weeks_ago, "
        "from: history.recent_strain_weeks, to: history.recurrence_window_weeks, to_points: 1, basis: x}\n"
        "    referral: none\n    recommendations: [rec.soleus_loading]\n",
        ["history.yaml", "history.calf_strain_earlier", "a taper starts from a measured effect"],
    ),
    (
        "a taper ending at a design-choice weight over the cap",
        "history.yaml",
        "      to_points: 5\n",
        "      to_points: 6\n",
        ["history.yaml", "history.calf_strain_recurrence_window", "over the cap"],
    ),
    (
        "a taper that rises",
        "history.yaml",
        "      to_points: 5\n",
        "      to_points: 40\n",
        ["history.yaml", "history.calf_strain_recurrence_window", "must fall from 37"],
    ),
    (
        "a taper along an unknown threshold",
        "history.yaml",
        "      to: history.recurrence_window_weeks\n",
        "      to: history.forever\n",
        ["history.yaml", "history.calf_strain_recurrence_window", "history.forever"],
    ),
    (
        "a runner's recommendation that speaks of the runner",
        "recommendations.yaml",
        "    Book a physiotherapist to assess your calf strength",
        "    Book a physiotherapist to assess the runner's calf strength",
        ["recommendations.yaml", "rec.physio_assessment", "voice runner", "the runner"],
    ),
    (
        "a clinician's recommendation that speaks to the runner",
        "recommendations.yaml",
        "rec.physio_assessment:\n  kind: referral\n  voice: runner\n",
        "rec.physio_assessment:\n  kind: referral\n  voice: clinician\n",
        ["recommendations.yaml", "rec.physio_assessment", "voice clinician", "your"],
    ),
    (
        "advice held back for a recommendation that is not a hold",
        "ruleset.yaml",
        "instead: rec.stop_running_until_assessed}",
        "instead: rec.load_management}",
        ["ruleset.yaml", "advice_held", "rec.load_management", "kind hold"],
    ),
    (
        "a time-loss answer that is not an answer",
        "instruments.yaml",
        "substantial_from: 3, time_loss_from: 3}",
        "substantial_from: 3, time_loss_from: 4}",
        ["instruments.yaml", "ostrc_o2.participation", "time_loss_from"],
    ),
    (
        "a red flag without a kind",
        "inputs.yaml",
        "red_flags.calf_swelling: {type: boolean, kind: sign,",
        "red_flags.calf_swelling: {type: boolean,",
        ["inputs.yaml", "red_flags.calf_swelling", "kind"],
    ),
    (
        "an unknown top-level key in norms.yaml",
        "norms.yaml",
        "heel_raise:\n",
        "heel_rise: {}\nheel_raise:\n",
        ["norms.yaml", "heel_rise"],
    ),
    (
        "a cap on a group that does not exist",
        "ruleset.yaml",
        "    wellness: 8\n",
        "    wellness: 8\n    fitness: 3\n",
        ["ruleset.yaml", "fitness"],
    ),
    ("invalid YAML", "load.yaml", "rules:\n", "rules: [\n", ["load.yaml"]),
    (
        "input with an unknown type",
        "inputs.yaml",
        "runner.age: {type: number,",
        "runner.age: {type: integer,",
        ["inputs.yaml", "runner.age", "type"],
    ),
    (
        "an input's text names a parameter that does not exist",
        "inputs.yaml",
        "with at least {modelling.acwr_weeks} weeks",
        "with at least {modelling.acwr_weekz} weeks",
        ["inputs.yaml", "derived.acwr", "{modelling.acwr_weekz}"],
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
    path = rules_copy / "history.yaml"
    text = path.read_text(encoding="utf-8")
    old = (
        '    evidence:\n      - {citation: "Hulme et al. 2017, Sports Med 47:869 (any previous running injury a '
        'consistent risk factor)", grade: A}\n'
    )
    assert text.count(old) == 1
    path.write_text(text.replace(old, "    basis: design choice\n"), encoding="utf-8")
    rule = load_ruleset(rules_copy).rule("history.previous_running_injury")
    assert rule.basis == "design choice" and rule.evidence == ()


def test_points_come_from_the_effect_size_on_the_stated_base():
    ruleset = load_ruleset(RULES_DIR)
    for rule in ruleset.rules:
        if rule.effect is None:
            assert rule.points_basis == "design choice", rule.id
            assert abs(rule.points) <= ruleset.design_choice_max_points, rule.id
        elif rule.effect.ci_includes_one:
            assert rule.points == 0, rule.id
    assert ruleset.rule("history.calf_strain_within_8_weeks").points == 37  # round(ln 13.3 / ln 2^0.1)
    assert ruleset.rule("history.age_40_plus").points == 9  # round(ln 1.93 / ln 2^0.1) = round(9.49)
    assert ruleset.rule("load.single_run_spike_extreme").points == 12


def test_every_declared_input_must_be_computed_by_derive_and_the_reverse():
    from screening.derive import COMPUTED

    load_ruleset(RULES_DIR, computed=COMPUTED)
    with pytest.raises(RulesError, match="declared but never computed by derive: derived.spike_ratio"):
        load_ruleset(RULES_DIR, computed=COMPUTED - {"derived.spike_ratio"})
    with pytest.raises(RulesError, match="computed by derive but not declared: derived.extra"):
        load_ruleset(RULES_DIR, computed=COMPUTED | {"derived.extra"})


@pytest.mark.parametrize("file", ["inputs.yaml", "recommendations.yaml", "norms.yaml", "instruments.yaml"])
def test_a_list_where_a_mapping_belongs_is_a_rules_error_naming_the_file(rules_copy, file):
    (rules_copy / file).write_text("- runner.age\n- runner.sex\n", encoding="utf-8")
    with pytest.raises(RulesError, match=f"{file}: expected a mapping"):
        load_ruleset(rules_copy)


def test_an_inputs_text_says_the_value_of_the_parameter_it_names(rules_copy):
    path = rules_copy / "parameters" / "modelling.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("  value: 56\n") == 1
    path.write_text(text.replace("  value: 56\n", "  value: 42\n"), encoding="utf-8")
    ruleset = load_ruleset(rules_copy)
    assert ruleset.inputs["derived.fatigue_z"].needs == (
        "earlier stored screenings on 4 days spanning 14+ days, in the past 42 days"
    )
    assert ruleset.inputs["derived.acwr"].needs == "training.weekly_distance with at least 4 weeks and a non-zero mean"

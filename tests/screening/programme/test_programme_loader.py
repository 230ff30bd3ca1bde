"""The programme loader refuses a stage, dose number or choice without its source, naming the file and place.

Each broken fixture is the real rules/programme.yaml with one edit (text to
replace, replacement), so a case shows exactly which mistake the loader must
catch.
"""

import shutil

import pytest

from rules import RULES_DIR
from screening import RulesError
from screening.programme import DRAWINGS
from screening.programme.loader import load_programme
from screening.ruleset.loader import load_ruleset

STAGE_1_EVIDENCE = (
    '      - {citation: "Green et al. 2022, Sports Med Open 8:10 (bent-knee heel raises progressing double leg -> '
    'split stance -> single leg -> loaded)", grade: D}\n'
)
BROKEN = [
    (
        "a stage without evidence",
        "    evidence:\n" + STAGE_1_EVIDENCE,
        "",
        ["programme.yaml", "stages: stage_1", "no evidence"],
    ),
    (
        "a stage whose design choice gives no reason",
        "    exercises: [double_leg_raise]\n    basis: evidence\n",
        "    exercises: [double_leg_raise]\n    basis: design choice\n",
        ["programme.yaml", "stages: stage_1", "a design choice needs its 'reason'"],
    ),
    (
        "a dose number without a basis",
        "      value: 3\n      basis: design choice\n      reason: Three sets",
        "      value: 3\n      reason: Three sets",
        ["programme.yaml", "doses", "sets", "basis"],
    ),
    (
        "a dose number whose design choice gives no reason",
        "      reason: The 15 repetitions of heavy slow resistance's first week (Beyer 2015), "
        "with body weight as the load.\n",
        "",
        ["programme.yaml", "doses.bodyweight.reps", "a design choice needs its 'reason'"],
    ),
    (
        "a choice without evidence",
        '    evidence:\n      - {citation: "Hébert-Losier et al. 2017, Physiotherapy 103:446 (age/sex norms)", '
        "grade: B}\n",
        "",
        ["programme.yaml", "choose #4", "no evidence"],
    ),
    (
        "an unknown threshold",
        "threshold: strength.test_noise_reps}\n    says: the weaker",
        "threshold: strength.nope}\n    says: the weaker",
        ["programme.yaml", "choose #3", "unknown threshold 'strength.nope'"],
    ),
    (
        "an unknown value",
        '{value: weakest, op: "<", of: goal}',
        '{value: fastest, op: "<", of: goal}',
        ["programme.yaml", "value", "Must be one of"],
    ),
    (
        "an unknown exercise",
        "exercises: [split_stance_raise]",
        "exercises: [handstand]",
        ["programme.yaml", "stages: stage_2", "unknown exercise(s) handstand"],
    ),
    (
        "stages out of order",
        "    number: 2\n",
        "    number: 5\n",
        ["programme.yaml", "stages: stage_2", "numbered 1, 2, 3"],
    ),
    (
        "a last choice that does not always apply",
        "    when: []\n    says: the weaker leg ({leg}) managed {weakest} heel raises, at least",
        '    when: [{value: lsi, op: ">=", threshold: strength.lsi_asymmetry}]\n'
        "    says: the weaker leg ({leg}) managed {weakest} heel raises, at least",
        ["programme.yaml", "the last entry must always apply"],
    ),
    (
        "a text naming a value it cannot be said with",
        "so it gets {extra} extra set.",
        "so it gets {extra} extra set, {because}.",
        ["programme.yaml", "emphasis", "names because"],
    ),
    (
        "a text naming an unknown parameter",
        "without pain above\n    {wellness.pain_running_see_physio}/10",
        "without pain above\n    {wellness.nope}/10",
        ["programme.yaml", "progress_when", "unknown parameter {wellness.nope}"],
    ),
    (
        "an unknown key",
        "    per_leg: false\n    extra_set_how: Do one more set with more",
        "    per_leg: false\n    colour: red\n    extra_set_how: Do one more set with more",
        ["programme.yaml", "unknown key", "colour"],
    ),
    (
        "a duplicate key",
        "    number: 1\n",
        "    number: 1\n    number: 1\n",
        ["programme.yaml", "duplicate key 'number'"],
    ),
    (
        "a missing drawing",
        "drawing: double_leg_raise.svg",
        "drawing: nowhere.svg",
        ["programme.yaml", "exercises.double_leg_raise", "no drawing nowhere.svg"],
    ),
    (
        "a programme given while a soon referral is open",
        "referrals: [urgent, soon]",
        "referrals: [urgent]",
        ["programme.yaml", "withheld", "must be withheld for urgent and soon referrals", "missing: soon"],
    ),
    (
        "a programme given despite a red-flag sign",
        "red_flag_signs: true",
        "red_flag_signs: false",
        ["programme.yaml", "withheld", "missing: red_flag_signs"],
    ),
    (
        "withholding on an unknown referral",
        "referrals: [urgent, soon]",
        "referrals: [urgent, someday]",
        ["programme.yaml", "withheld", "referrals"],
    ),
]


@pytest.fixture(scope="module")
def ruleset():
    return load_ruleset(RULES_DIR)


def test_the_packaged_programme_loads_with_four_stages_in_order(ruleset):
    rules = load_programme(RULES_DIR, ruleset, DRAWINGS)
    assert [s.number for s in rules.stages] == [1, 2, 3, 4]
    assert [s.title for s in rules.stages][:3] == ["Double leg", "Split stance", "Single leg"]


@pytest.mark.parametrize(("case", "old", "new", "expected"), BROKEN, ids=[c[0] for c in BROKEN])
def test_programme_loader_refuses_broken_data_naming_file_and_place(tmp_path, ruleset, case, old, new, expected):
    shutil.copytree(RULES_DIR, tmp_path / "rules")
    path = tmp_path / "rules" / "programme.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found for {case!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_programme(tmp_path / "rules", ruleset, DRAWINGS)
    for part in expected:
        assert part in str(caught.value), f"{case}: {part!r} not in {caught.value}"

"""Checks across the files of a loaded ruleset, each raising a RulesError that names the file.

- every input the rules may read is computed by the derive step, and the reverse;
- rule ids are unique, score caps name real groups, the healthy-runner
  recommendation exists;
- red flags: every sign refers urgently on its own; every DVT risk factor
  refers urgently only together with a calf symptom, and alone gives
  safety-net advice (a recommendation) without an urgent referral;
- no design-choice rule weighs more than `design_choice_max_points`, which
  stays below the weakest evidence-based factor.
"""

from screening.errors import RulesError
from screening.ruleset.model import Rule, Ruleset, Term


def check_ruleset(ruleset: Ruleset, groups: list[str], computed: frozenset[str] | None) -> None:
    if computed is not None:
        _check_computed(ruleset, computed)
    seen: set[str] = set()
    for rule in ruleset.rules:
        if rule.id in seen:
            raise RulesError(f"{rule.group}.yaml: rule {rule.id}: duplicate rule id")
        seen.add(rule.id)
    unknown = sorted(set(ruleset.caps) - set(groups))
    if unknown:
        raise RulesError(f"ruleset.yaml: scoring.caps names unknown group(s) {', '.join(unknown)}")
    if ruleset.healthy_recommendation not in ruleset.recommendations:
        raise RulesError(f"ruleset.yaml: healthy_recommendation '{ruleset.healthy_recommendation}' is not defined")
    _check_red_flags(ruleset)
    _check_design_choice_weights(ruleset)


def _check_computed(ruleset: Ruleset, computed: frozenset[str]) -> None:
    declared = set(ruleset.inputs)
    if declared - computed:
        raise RulesError(
            f"inputs.yaml: declared but never computed by derive: {', '.join(sorted(declared - computed))}"
        )
    if computed - declared:
        raise RulesError(f"inputs.yaml: computed by derive but not declared: {', '.join(sorted(computed - declared))}")


def _alone(rule: Rule, name: str) -> bool:
    return rule.terms == (Term(input=name, is_=True),)


def _check_red_flags(ruleset: Ruleset) -> None:
    rules = ruleset.rules
    for name, spec in ruleset.inputs.items():
        if not name.startswith("red_flags."):
            continue
        if spec.kind == "sign":
            if not any(r.referral == "urgent" and _alone(r, name) for r in rules):
                raise RulesError(f"red_flags.yaml: no rule refers urgently on the sign '{name}' alone")
        elif spec.kind == "risk_factor":
            if any(r.referral == "urgent" and _alone(r, name) for r in rules):
                raise RulesError(f"red_flags.yaml: the risk factor '{name}' must not refer urgently on its own")
            with_symptom = [r for r in rules if r.referral == "urgent" and Term(input=name, is_=True) in r.terms]
            if not any(len(r.terms) > 1 for r in with_symptom):
                raise RulesError(f"red_flags.yaml: no rule refers urgently on '{name}' with a calf symptom")
            flagged = Term(input=name, is_=True)
            if not any(r.referral != "urgent" and flagged in r.terms and r.recommendations for r in rules):
                raise RulesError(f"red_flags.yaml: no rule gives safety-net advice on '{name}' without a symptom")
        else:
            raise RulesError(f"inputs.yaml: red flag '{name}' needs a kind: sign or risk_factor")


def _check_design_choice_weights(ruleset: Ruleset) -> None:
    cap = ruleset.design_choice_max_points
    evidence_points = [r.points for r in ruleset.rules if r.effect is not None and r.points > 0]
    if evidence_points and cap >= min(evidence_points):
        raise RulesError(
            f"ruleset.yaml: design_choice_max_points {cap} must stay below the weakest evidence-based "
            f"factor ({min(evidence_points)} points)"
        )
    for rule in ruleset.rules:
        if rule.effect is None and abs(rule.points) > cap:
            raise RulesError(
                f"{rule.group}.yaml: rule {rule.id}: a design-choice weight of {rule.points} is over the cap of {cap}"
            )

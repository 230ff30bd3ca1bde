"""Checks across the files of a loaded ruleset, each raising a RulesError that names the file.

- every input the rules may read is computed by the derive step, and the reverse;
- rule ids are unique, score caps name real groups, the healthy-runner
  recommendation exists;
- red flags: every sign refers urgently on its own; every DVT risk factor
  refers urgently only together with a calf symptom, and alone gives
  safety-net advice (a recommendation) without an urgent referral;
- no design-choice rule weighs more than `design_choice_max_points`, which
  stays below the weakest evidence-based factor (a tapering rule's points come
  from its measured effect, and its end weight is a design choice within the cap);
- a rule marked `present_injury` refers soon or urgently (no training advice
  while a referral comes first); a rule's `escalation` exists and goes with an
  urgent referral; `advice_held` gives a recommendation of kind `hold` instead.
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
    _check_present_injury_and_advice(ruleset)


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
        if rule.taper is not None and rule.taper.end_points > cap:
            raise RulesError(
                f"{rule.group}.yaml: rule {rule.id}: the taper ends at a design-choice weight of "
                f"{rule.taper.end_points}, over the cap of {cap}"
            )


def _check_present_injury_and_advice(ruleset: Ruleset) -> None:
    for rule in ruleset.rules:
        where = f"{rule.group}.yaml: rule {rule.id}"
        if rule.present_injury and rule.referral not in ("soon", "urgent"):
            raise RulesError(f"{where}: a present injury must refer soon or urgent, not {rule.referral}")
        if rule.escalation is not None:
            if rule.escalation not in ruleset.escalations:
                raise RulesError(f"{where}: unknown escalation '{rule.escalation}'")
            if rule.referral != "urgent":
                raise RulesError(f"{where}: an escalation goes with an urgent referral")
    for hold in ruleset.advice_held:
        instead = ruleset.recommendations.get(hold.instead)
        if instead is None or instead.kind != "hold":
            raise RulesError(f"ruleset.yaml: advice_held gives '{hold.instead}', not a recommendation of kind hold")
        if "hold" in hold.kinds or "referral" in hold.kinds:
            raise RulesError("ruleset.yaml: advice_held may not withhold a referral or what is said instead")

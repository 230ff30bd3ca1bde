"""Turn the rules that fired into the contract's result.

Everything here is aggregation of rule data: the score is the sum of points
(a tapering rule's for this runner), the band comes from the ruleset's band
limits (or is `symptomatic` when a present-injury rule fired), the referral
takes the most urgent referring rule (with the escalation line of a suspected
clot), recommendations are listed in the ruleset's order with the rules that
caused them (training advice held back while a referral comes first, and
what to do instead said in its place), and every rule that could not run for
missing data is listed as not assessed.

The parts of an explanation that depend only on the rule (condition text,
thresholds, evidence) are built once per ruleset; results share them, so treat
a result as read-only.
"""

from collections.abc import Callable

from screening.result.risk import risk, risk_scale
from screening.ruleset.compare import COMPARE
from screening.ruleset.model import REFERRAL_ORDER, SYMPTOMATIC, Hold, Rule, Ruleset, Term, evidence_list


def _static_explanation(rule: Rule, ruleset: Ruleset) -> dict:
    basis = ruleset.rule_basis(rule)
    return {
        "rule": rule.id,
        "title": rule.title,
        "fired": True,
        "points": rule.points,
        "inputs": None,
        **basis,
    }


def _needs(phrases: list[str]) -> list[str]:
    """Each distinct need once, leaving out one another need already says ("both tested" in "both tested, ...")."""
    unique = list(dict.fromkeys(phrases))
    return [p for p in unique if not any(p != other and p in other for other in unique)]


def known_false(term: Term, ruleset: Ruleset) -> Callable[[dict], bool]:
    """A test of `inputs`: True when every input of `term` is known and the comparison fails."""
    left_name = term.input
    if term.is_ is not None:
        expected = term.is_

        def is_false(inputs: dict) -> bool:
            value = inputs.get(left_name)
            return value is not None and value is not expected

        return is_false
    assert term.op is not None  # the loader gives every comparison that is not `is` an operator
    compare = COMPARE[term.op]
    threshold = ruleset.parameters[term.threshold].value if term.threshold else None
    if not term.of:

        def below_threshold(inputs: dict) -> bool:
            value = inputs.get(left_name)
            return value is not None and not compare(value, threshold)

        return below_threshold
    of_name = term.of

    def against_other(inputs: dict) -> bool:
        value, other = inputs.get(left_name), inputs.get(of_name)
        if value is None or other is None:
            return False
        return not compare(value, other if threshold is None else other * threshold)

    return against_other


class ResultBuilder:
    """Builds contract results for one ruleset."""

    def __init__(self, ruleset: Ruleset):
        self.ruleset = ruleset
        self._explanations = {r.id: _static_explanation(r, ruleset) for r in ruleset.rules}
        self._scale = risk_scale(ruleset)
        self._shown = {r.id: (*r.inputs, *r.context) for r in ruleset.rules}
        self._recommendations = {
            rec.id: {"id": rec.id, "text": rec.text, "evidence": evidence_list(rec.evidence)}
            for rec in ruleset.recommendations.values()
        }
        # Per rule, the inputs whose absence means "not assessed" (not "none known").
        self._assessable = {
            r.id: [n for n in r.inputs if ruleset.inputs[n].absent == "not_assessed"] for r in ruleset.rules
        }
        self._needed = {name for names in self._assessable.values() for name in names}
        # Per rule that can be not assessed: its id, title, those inputs (in order and as a set), a test per comparison
        # that is True when the comparison is known and fails (the rule then does not apply).
        self._assessments = [
            (
                r.id,
                r.title,
                self._assessable[r.id],
                frozenset(self._assessable[r.id]),
                [known_false(t, ruleset) for t in r.terms],
            )
            for r in ruleset.rules
            if self._assessable[r.id]
        ]
        self._needs_of: dict[tuple[str, ...], list[str]] = {}

    def explain(self, rule: Rule, inputs: dict, sources: dict | None = None) -> dict:
        """One explanation entry: what the rule read, compared and rests on, and where a value not simply
        entered came from (`sources`)."""
        entry = dict(self._explanations[rule.id])
        entry["inputs"] = {name: inputs[name] for name in self._shown[rule.id]}
        if rule.taper is not None:
            entry["points"] = self.ruleset.points_of(rule, inputs)
        found = {name: sources[name] for name in self._shown[rule.id] if sources and name in sources}
        if found:
            entry["sources"] = found
        return entry

    def not_assessed(self, inputs: dict, fired: set) -> list[dict]:
        """Rules that could not run because an input they need is missing.

        A rule one of whose fully known comparisons already fails could not
        fire whatever the missing value is (soreness 0 rules out persistent
        soreness, days or not), so it is not reported as missing data. This
        only ever decides between "not assessed" and "does not apply"; which
        rules fire is the engine's alone.
        """
        absent = {name for name in self._needed if inputs.get(name) is None}
        if not absent:
            return []
        entries = []
        for rule_id, title, assessable, needed, ruled_out in self._assessments:
            if rule_id in fired or absent.isdisjoint(needed):
                continue
            missing = tuple(name for name in assessable if name in absent)
            if not any(known_false(inputs) for known_false in ruled_out):
                entries.append(
                    {"rule": rule_id, "title": title, "missing": list(missing), "needs": self._needs(missing)}
                )
        return entries

    def _needs(self, missing: tuple[str, ...]) -> list[str]:
        needs = self._needs_of.get(missing)
        if needs is None:
            needs = self._needs_of[missing] = _needs([self.ruleset.inputs[name].needed_data for name in missing])
        return list(needs)

    def referral(self, rules: list[Rule]) -> dict:
        referring = [r for r in rules if r.referral != "none"]
        if not referring:
            return {"required": False, "urgency": None, "to": None, "reasons": []}
        rank = REFERRAL_ORDER.index
        referring.sort(key=lambda r: (-rank(r.referral), r.index))
        urgency = referring[0].referral
        destinations = list(dict.fromkeys(self._destination(r) for r in referring))
        referral = {
            "required": True,
            "urgency": urgency,
            "to": destinations[0],
            "reasons": [r.id for r in referring],
        }
        if len(destinations) > 1:
            referral["destinations"] = destinations
        escalating = [r for r in referring if r.escalation is not None and r.referral == urgency]
        if escalating:
            escalation = self.ruleset.escalations[escalating[0].escalation]
            referral["escalation"] = {
                "text": escalation.text,
                "because": [r.id for r in escalating],
                "evidence": evidence_list(escalation.evidence),
            }
        return referral

    def _destination(self, rule: Rule) -> str:
        return rule.referral_to or self.ruleset.referral_to[rule.referral]

    def _hold(self, urgency: str | None, symptomatic: bool) -> Hold | None:
        """The first of the ruleset's advice_held that applies: no training advice while a referral comes first."""
        for hold in self.ruleset.advice_held:
            if hold.when == urgency or (hold.when == SYMPTOMATIC and symptomatic):
                return hold
        return None

    def recommendations(self, rules: list[Rule], urgency: str | None = None, symptomatic: bool = False) -> list[dict]:
        """Each recommendation once, in the ruleset's order, with the rules that led to it; while an urgent or
        soon referral is open (or the band is symptomatic) the training and loading advice is withheld, and
        the hold's own recommendation says so (`withholds` names what it replaced)."""
        ruleset = self.ruleset
        because: dict[str, list[str]] = {}
        for rule in rules:
            for rec_id in rule.recommendations:
                because.setdefault(rec_id, []).append(rule.id)
        if not because:
            because[ruleset.healthy_recommendation] = []
        hold = self._hold(urgency, symptomatic)
        withheld: list[str] = []
        if hold is not None:
            withheld = [rec_id for rec_id in because if ruleset.recommendations[rec_id].kind in hold.kinds]
            for rec_id in withheld:
                del because[rec_id]
            opened = [
                rule.id
                for rule in rules
                if (rule.present_injury if hold.when == SYMPTOMATIC else rule.referral == hold.when)
            ]
            because.setdefault(hold.instead, []).extend(r for r in opened if r not in because.get(hold.instead, []))
        ordered = sorted(because, key=lambda rec_id: ruleset.recommendations[rec_id].index)
        found = [{**self._recommendations[rec_id], "because": because[rec_id]} for rec_id in ordered]
        if withheld:
            for entry in found:
                if entry["id"] == hold.instead:  # type: ignore[union-attr]
                    entry["withholds"] = sorted(withheld, key=lambda rec_id: ruleset.recommendations[rec_id].index)
        return found

    def build(
        self,
        intake: dict,
        inputs: dict,
        derived: dict,
        fired_ids: list[str],
        *,
        screening_id: str,
        screened_at: str,
        sources: dict | None = None,
    ) -> dict:
        ruleset = self.ruleset
        rules = [ruleset.rule(rule_id) for rule_id in fired_ids]
        missing = self.not_assessed(inputs, set(fired_ids))
        explanation = [self.explain(rule, inputs, sources) for rule in rules]
        block = risk(rules, [entry["points"] for entry in explanation], ruleset, self._scale)
        referral = self.referral(rules)
        return {
            "screening_id": screening_id,
            "runner_id": intake["runner"]["id"],
            "screened_at": screened_at,
            "ruleset": ruleset.ref,
            "risk": block,
            "referral": referral,
            "derived": derived,
            "recommendations": self.recommendations(rules, referral["urgency"], block["band"] == SYMPTOMATIC),
            "explanation": explanation,
            "not_assessed": [entry["rule"] for entry in missing],
            "not_assessed_detail": missing,
            "disclaimer": ruleset.disclaimer,
        }

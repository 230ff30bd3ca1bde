"""The result's `programme` section for one screening: prescribed with its stage, or withheld with the reason.

    programme = Programme(ruleset, rules)
    result["programme"] = programme.section(inputs, result, history)

Withheld whenever a red-flag sign was reported, an urgent or `soon` referral
is open, or pain while running is above what the pain-monitoring model
accepts: refer first, no training advice. Otherwise the stage comes from the
weaker tested leg against the goal (choose.py), the weaker leg gets an extra
set with marked asymmetry, and a recent calf strain adds the return-to-run
checklist and keeps the stage at or below its own. The history part (earlier
visits, the change in words) is earlier.py's.
"""

import functools

from screening.over_time.series import RunnerHistory
from screening.programme import choose as choosing
from screening.programme.choose import Legs
from screening.programme.earlier import earlier_section
from screening.programme.model import Exercise, ProgrammeRules, Source, Stage
from screening.ruleset.model import Ruleset

_ONE = {1: "one", 2: "two", 3: "three"}


def _evidence(*sources: Source) -> list[dict]:
    """Each source's evidence once, in order."""
    seen: dict[str, dict] = {}
    for source in sources:
        for entry in source.as_evidence():
            seen.setdefault(entry["citation"], entry)
    return list(seen.values())


class Programme:
    """Builds the `programme` section of results for one ruleset and its programme rules."""

    def __init__(self, ruleset: Ruleset, rules: ProgrammeRules):
        self.ruleset = ruleset
        self.rules = rules
        self._signs = [n for n, spec in ruleset.inputs.items() if spec.kind == "sign"]
        self._shared = functools.lru_cache(maxsize=4096)(self._section)

    def goal(self, inputs: dict) -> int:
        reference = inputs["derived.heel_raise_reference"]
        return int(reference if reference is not None else self.ruleset.parameter(self.rules.goal_without_reference))

    def goal_basis(self, inputs: dict, result: dict) -> str:
        if inputs["derived.heel_raise_reference"] is not None:
            return f"the age/sex reference: {result['derived']['heel_raise_reference']['basis']}"
        return "the clinical target: no age/sex reference under 18"

    def withheld_because(self, inputs: dict, result: dict) -> list[str]:
        """Why the programme is withheld, in words (empty: it is not)."""
        rules = self.rules.withheld
        found = []
        if rules.red_flag_signs:
            found += [self.ruleset.inputs[n].description for n in self._signs if inputs.get(n) is True]
        referral = result["referral"]
        if referral["urgency"] in rules.referrals:
            titles = [self.ruleset.rule(r).title for r in referral["reasons"]]
            found.append(f"{referral['urgency']} referral: {'; '.join(titles)}")
        pain = inputs["wellness.pain_while_running"]
        if pain is not None and pain > self.ruleset.parameter(rules.pain_above):
            found.append(f"calf pain while running {pain}/10")
        return found

    def strain_weeks(self, inputs: dict) -> int | None:
        weeks = inputs["derived.calf_strain_weeks_ago"]
        limit = self.ruleset.parameter(self.rules.return_to_run.within_weeks)
        return weeks if weeks is not None and weeks <= limit else None

    def section(self, inputs: dict, result: dict, history: RunnerHistory | None = None) -> dict:
        """The section for this result; what does not depend on the history is shared between results with
        the same heel raises, goal, pain, strain and reasons to withhold (treat it as read-only)."""
        legs = Legs(inputs["heel_raise.left"], inputs["heel_raise.right"])
        key = (
            legs,
            self.goal(inputs),
            self.goal_basis(inputs, result),
            inputs["wellness.pain_while_running"],
            self.strain_weeks(inputs),
            tuple(self.withheld_because(inputs, result)),
        )
        section = dict(self._shared(key))
        if history is not None:
            shown = int(self.ruleset.parameter("programme.history_shown"))
            section["history"] = earlier_section(history, legs, section, self.rules, shown)
        return section

    def _section(self, key: tuple) -> dict:
        legs, goal, goal_basis, pain, weeks, because = key
        found = choosing.values(legs, goal, pain)
        rules = self.rules
        section: dict = {
            "status": "withheld" if because else "prescribed",
            "legs": {"left": legs.left, "right": legs.right, "goal": goal, "goal_basis": goal_basis},
        }
        if because:
            section.update(
                reason=rules.withheld.says.format(because="; ".join(because)),
                stage=None,
                exercises=[],
                evidence=_evidence(rules.withheld.source),
            )
        else:
            chosen = choosing.choose(rules, found, self.ruleset, weeks is not None)
            stage = chosen.choice.stage
            said = {
                "leg": legs.weaker,
                "weakest": found["weakest"],
                "strongest": found["strongest"],
                "goal": goal,
                "goal_basis": section["legs"]["goal_basis"],
                "pain": pain,
            }
            reason = f"Stage {stage.number} because {chosen.choice.says.format(**said)}."
            if chosen.capped:
                reason += f" After a recent calf strain it stays at stage {stage.number} or below."
            emphasis = self._emphasis(legs, found)
            section.update(
                reason=reason,
                stage={"id": stage.id, "number": stage.number, "title": stage.title},
                exercises=self._exercises(stage, emphasis),
                knee=rules.knee.says,
                progress_when=rules.progress_when.says,
                step_back_when=rules.step_back_when.says,
                evidence=_evidence(chosen.choice.source, stage.source, rules.knee.source, rules.step_back_when.source),
            )
            if emphasis:
                section["emphasis"] = emphasis
            highest = rules.return_to_run.highest_stage.number if weeks is not None else None
            reps = choosing.moves_on_at(rules, legs, goal, pain, self.ruleset, stage.number, highest)
            if reps is not None:
                section["moves_on_at"] = {
                    "reps": reps,
                    "says": f"At your next screening, {reps} heel raises on your weaker leg move you on a stage.",
                }
        if weeks is not None:
            section["return_to_run"] = self._return_to_run(weeks, found)
        return section

    def _emphasis(self, legs: Legs, found: dict) -> dict | None:
        rules = self.rules.emphasis
        if legs.weaker not in ("left", "right") or not choosing.all_hold(rules.terms, found, self.ruleset):
            return None
        extra = int(self.ruleset.parameter(rules.extra_sets))
        says = rules.says.format(
            leg=legs.weaker, weakest=found["weakest"], strongest=found["strongest"], extra=_ONE.get(extra, extra)
        )
        return {"leg": legs.weaker, "extra_sets": extra, "says": says, "evidence": rules.source.as_evidence()}

    def _exercises(self, stage: Stage, emphasis: dict | None) -> list[dict]:
        rows = []
        for exercise in stage.exercises:
            rows.append(self._exercise(exercise, "both", exercise.dose.sets.value, exercise.how))  # type: ignore[arg-type]
            if emphasis:
                how = exercise.extra_set_how.format(leg=emphasis["leg"])
                rows.append(self._exercise(exercise, emphasis["leg"], emphasis["extra_sets"], how))
        return rows

    def _exercise(self, exercise: Exercise, legs: str, sets: int, how: str) -> dict:
        dose = exercise.dose
        row = {
            "id": exercise.id,
            "title": exercise.title,
            "how": how,
            "knee": self.rules.knee.says,
            "sets": sets,
            "reps": dose.reps.value,
            "tempo": dose.tempo.value,
            "sessions_per_week": dose.sessions_per_week.value,
            "legs": legs,
            "each_leg": exercise.per_leg,
            "drawing": exercise.drawing,
        }
        if dose.load is not None:
            row["load"] = dose.load.value
        if dose.progression is not None:
            row["progression"] = [dict(step) for step in dose.progression.value]  # type: ignore[attr-defined]
        return row

    def _return_to_run(self, weeks: int, found: dict) -> dict:
        rules = self.rules.return_to_run
        checks = []
        for check in rules.checks:
            if not check.terms:
                status = "to check"  # not part of the intake: the clinician checks it, nothing is guessed
            elif any(found[t.value] is None or (t.of and found[t.of] is None) for t in check.terms):
                status = "not assessed"
            else:
                status = "met" if choosing.all_hold(check.terms, found, self.ruleset) else "not yet"
            checks.append({"id": check.id, "says": check.says.format(goal=found["goal"]), "status": status})
        return {
            "weeks_since_strain": weeks,
            "says": rules.says.format(weeks=weeks),
            "checks": checks,
            "then": rules.then,
            "evidence": rules.source.as_evidence(),
        }

"""The screening pipeline: validate an intake, derive inputs, fire rules, build the result."""

import copy
import functools
import logging
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from marshmallow import ValidationError

from rules import RULES_DIR
from screening.derive import COMPUTED, derive
from screening.engine import RulesEngine
from screening.errors import IntakeError
from screening.intake.bounds import ListBounds
from screening.intake.fast import FastIntake, Untranslatable
from screening.intake.schema import IntakeSchema, errors_by_path
from screening.over_time.series import RunnerHistory
from screening.over_time.since_previous import history_section
from screening.programme import DRAWINGS
from screening.programme.build import Programme
from screening.programme.loader import load_programme
from screening.result.builder import ResultBuilder
from screening.ruleset.loader import load_ruleset
from screening.timestamps import CLOCK_SKEW, format_time, naive_utc, now_text, parse_rfc3339, parse_time, too_late


class Screener:
    """Everything needed to screen runners with one ruleset; share one per process."""

    def __init__(self, rules_dir: Path = RULES_DIR, *, clock_skew: timedelta = CLOCK_SKEW):
        self.ruleset = load_ruleset(rules_dir, computed=COMPUTED)
        self.engine = RulesEngine(self.ruleset)
        self.results = ResultBuilder(self.ruleset)
        self.programme = Programme(self.ruleset, load_programme(rules_dir, self.ruleset, DRAWINGS))
        self._schema = IntakeSchema()
        self._fast = _fast_intake(self._schema)
        self._bounds = ListBounds(self._schema)
        self.clock_skew = clock_skew

    def with_clock_skew(self, skew: timedelta) -> "Screener":
        """The same screener (ruleset, engine, schema shared) allowing `skew` for a given `screened_at`."""
        if skew == self.clock_skew:
            return self
        other = copy.copy(self)
        other.clock_skew = skew
        return other

    def accept_json(self, body: bytes) -> dict | None:
        """The validated intake if this JSON body is one the fast path accepts, else None.

        None says nothing about the body: load it with `validate`, which gives
        the same intake or the errors (see fast_intake).
        """
        intake = self._fast.accept(body) if self._fast else None
        if intake is not None and self._time_error(intake):
            return None
        return intake

    def validate(self, payload) -> dict:
        """Return the validated intake, or raise IntakeError with errors by field path."""
        self._bounds.check(payload)  # an over-long list is refused before marshmallow reads its items
        try:
            intake = self._schema.load(payload)
        except ValidationError as error:
            raise IntakeError(errors_by_path(error.messages)) from None
        problem = self._time_error(intake)
        if problem:
            raise IntakeError({"screened_at": [problem]})
        return intake

    def _time_error(self, intake: dict) -> str | None:
        moment = visit_time(intake)
        return None if moment is None else too_late(moment, self.clock_skew)

    def screen_valid(
        self,
        intake: dict,
        *,
        screening_id: str | None = None,
        screened_at: str | None = None,
        history: RunnerHistory | None = None,
        at: datetime | None = None,
    ) -> dict:
        """Screen an intake that `validate` already accepted.

        `history`: the runner's earlier stored screenings (screening/over_time/series.py),
        read by the history rules and summed up in the result's `history`
        section; None when no store is kept (those rules are then not
        assessed). `at`: this screening's time to the microsecond (naive or
        UTC), when `screened_at` (to the second) is not precise enough to
        order it after an earlier screening of the same second.
        """
        given = visit_time(intake)
        if at is None and screened_at is None and given is not None:
            at = given  # the visit's own time, unless the caller (a roster run) already chose one
        screened_at = screened_at or (format_time(at) if at else now_text())
        now = (naive_utc(at) if at else parse_time(screened_at)) if history is not None else None
        inputs, derived, over_time, sources = derive(intake, self.ruleset, history, now)
        fired = self.engine.fire(inputs)
        result = self.results.build(
            intake,
            inputs,
            derived,
            fired,
            screening_id=screening_id or uuid.uuid4().hex,
            screened_at=screened_at,
            sources=sources,
        )
        result["programme"] = self.programme.section(inputs, result, history)
        if history is not None and over_time is not None:
            result["history"] = {**history_section(history.previous, result), **over_time}
        return result

    def screen(self, payload, **kwargs) -> dict:
        """Validate and screen one intake payload (a dict as posted)."""
        return self.screen_valid(self.validate(payload), **kwargs)


def visit_time(intake: dict) -> datetime | None:
    """When the intake says the visit happened (aware UTC), or None: the service's clock decides."""
    text = intake.get("screened_at")
    return parse_rfc3339(text) if text else None


def _fast_intake(schema) -> FastIntake | None:
    try:
        return FastIntake(schema)
    except Untranslatable as reason:
        # Correct either way, only slower: every intake is then loaded by marshmallow.
        logging.getLogger("soleus").warning("intake fast path off: %s", reason)
        return None


@functools.cache
def default_screener() -> Screener:
    """The process-wide screener on the packaged ruleset (built on first use)."""
    return Screener()

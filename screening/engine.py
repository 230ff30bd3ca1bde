"""Run one screening's inputs through durable_rules and return every rule that fired.

The pattern answers durable_rules' traps, each measured and tied to the test
that holds it in docs/durable-rules.md:

- inputs are asserted as a *fact*, so every matching rule fires (a posted
  event is consumed by the first match);
- each screening gets a fresh session id, and its state is deleted in
  `finally`, so memory stays flat past the engine's 1,024 live sessions;
- a sentinel rule always fires: deleting a session in which nothing fired can
  crash the process, and an unmatched fact raises;
- no durable_rules `Host` is created, so none of its background dispatcher
  threads exist to take a session's actions mid-screening; one lock serialises
  screenings (the C core is not thread-safe; under the GIL this costs nothing);
- only validated numbers and booleans are asserted (the engine compares
  strings as text), and a float Python writes as `1e-05` is sent as `1.0e-05`:
  durable_rules' JSON parser rejects an exponent without a fraction (error
  204), and tiny distances are valid intake.

Actions are run here, not by durable's Python glue: that glue decodes the whole
fact and re-encodes the session state for every fired rule (~15 us each) and
swallows an action's exception into the state. This loop asks the C core for
each pending action in turn, runs it, and an action that raises is abandoned
and raised as `EngineError`, so no partial result can escape.
"""

import itertools
import json
import math
import re
import threading
from typing import Any

import durable_rules_engine as core
import orjson

from screening.errors import EngineError
from screening.ruleset.model import Rule, Ruleset, Term

SENTINEL = "screening.sentinel"
_OPS = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}
_names = itertools.count(1)
_ASSERTABLE = frozenset((bool, int, float))
_BARE_EXPONENT = re.compile(rb"(?<=:)(-?\d+)(?=e)")


def fact_keys(ruleset: Ruleset) -> dict[str, str]:
    """A short key in the fact for each input a rule reads, in ruleset order.

    The core parses the fact's JSON and copies it into every pending action's
    message: keys of two or three characters keep both small. Inputs that no
    rule reads are not asserted at all.
    """
    read: dict[str, None] = {}
    for rule in ruleset.rules:
        for term in rule.terms:
            read[term.input] = None
            if term.of:
                read[term.of] = None
    return {name: f"i{number}" for number, name in enumerate(read)}


def compile_term(term: Term, ruleset: Ruleset, keys: dict[str, str]) -> dict:
    """Translate one comparison into durable_rules' JSON condition language."""
    key = keys[term.input]
    if term.is_ is not None:
        return {key: term.is_}
    # The loader gives every comparison an operator, and a threshold or an `of` (or both).
    assert term.op is not None and (term.threshold or term.of), term
    right: Any
    if term.threshold and term.of:
        right = {"$mul": {"$l": {"$m": keys[term.of]}, "$r": ruleset.parameters[term.threshold].value}}
    elif term.of:
        right = {"$m": keys[term.of]}
    elif term.threshold:
        right = ruleset.parameters[term.threshold].value
    return {key: right} if term.op == "==" else {_OPS[term.op]: {key: right}}


def compile_rule(rule: Rule, ruleset: Ruleset, keys: dict[str, str]) -> dict:
    terms = [compile_term(t, ruleset, keys) for t in rule.terms]
    # A missing field on the right (`of`) does not always stop a rule: with the
    # longest run absent, the spike rules fired whenever the age rule also did.
    terms += [{"$ex": {keys[t.of]: 1}} for t in rule.terms if t.of]
    return {"all": [{"m": terms[0] if len(terms) == 1 else {"$and": terms}}]}


def compile_ruleset(ruleset: Ruleset, keys: dict[str, str] | None = None) -> dict:
    """The durable_rules definition of the whole ruleset, plus the sentinel (`keys`: fact_keys' answer)."""
    keys = fact_keys(ruleset) if keys is None else keys
    definition = {rule.id: compile_rule(rule, ruleset, keys) for rule in ruleset.rules}
    definition[SENTINEL] = {"all": [{"m": {"$ex": {"s": 1}}}]}
    return definition


def encode_fact(fact: dict) -> str:
    """The fact as JSON that durable_rules parses: `1e-05` becomes `1.0e-05`, the same number."""
    text = orjson.dumps(fact)
    # orjson writes an exponent as e- or e+ (and 1e+16 as 1e16); keys and true/false never hold an e.
    if b"e" in text.replace(b"true", b"").replace(b"false", b""):
        text = _BARE_EXPONENT.sub(rb"\1.0", text)
    return text.decode()


def _record(rule_id: str):
    def action(fired: list) -> None:
        fired.append(rule_id)

    return action


class RulesEngine:
    """One compiled ruleset in the durable_rules core; safe to share between threads."""

    def __init__(self, ruleset: Ruleset):
        self.ruleset = ruleset
        self._order = {rule.id: rule.index for rule in ruleset.rules}
        read = fact_keys(ruleset)
        # Every known input is type-checked; only those a rule reads go into the fact.
        self._keys = [(name, read.get(name)) for name in ruleset.inputs]
        self.actions = {rule_id: _record(rule_id) for rule_id in (*self._order, SENTINEL)}
        self._lock = threading.Lock()
        self._sids = itertools.count(1)
        # A ruleset name can be registered once per process: make each unique.
        self.name = f"{ruleset.name}_{ruleset.version.replace('.', '_')}_{next(_names)}"
        self._handle = core.create_ruleset(self.name, json.dumps(compile_ruleset(ruleset, read)))

    def fact(self, inputs: dict) -> dict:
        """The fact to assert: known inputs only, missing ones left out, types checked."""
        fact: dict = {"s": 1}
        for name, key in self._keys:
            value = inputs.get(name)
            if value is None:
                continue
            kind = type(value)
            if kind not in _ASSERTABLE or (kind is float and not math.isfinite(value)):
                raise EngineError(f"input {name} is {kind.__name__}, not a validated number or boolean")
            if key is not None:
                fact[key] = value
        return fact

    def fire(self, inputs: dict) -> list[str]:
        """Return the ids of every rule that fired for these inputs, in ruleset order."""
        fact = self.fact(inputs)
        fired: list[str] = []
        with self._lock:
            sid = str(next(self._sids))
            fact["sid"] = sid
            try:
                self._run(encode_fact(fact), fired)
            except BaseException:
                # Report the first failure: a fact the core refused left no state to delete.
                self._delete(sid, quietly=True)
                raise
            self._delete(sid)
        if SENTINEL not in fired:
            raise EngineError("the sentinel rule did not fire: the engine did not evaluate this screening")
        fired.remove(SENTINEL)
        return sorted(fired, key=self._order.__getitem__)

    def _delete(self, sid: str, quietly: bool = False) -> None:
        try:
            core.delete_state(self._handle, sid)
        except Exception as error:  # the C core raises plain exceptions with an error code
            if not quietly:
                raise EngineError(f"rules engine could not delete a session: {error}") from error

    def _run(self, fact_json: str, fired: list) -> None:
        try:
            code, state = core.assert_fact(self._handle, fact_json)[:2]
        except Exception as error:  # the C core raises plain exceptions with an error code
            raise EngineError(f"rules engine failed: {error}") from error
        if code != 0:
            raise EngineError(f"rules engine did not take the fact (code {code})")
        pending = core.start_action_for_state(self._handle, state)
        message = pending[1] if pending else None
        while message:
            # The message is {"<rule id>": {...fact...}}; only the id is needed.
            rule_id = message[2 : message.index('"', 2)]
            try:
                self.actions[rule_id](fired)
            except Exception as error:
                core.abandon_action(self._handle, state)
                raise EngineError(f"the action of rule {rule_id} failed: {error!r}") from error
            message = core.complete_and_start_action(self._handle, state)

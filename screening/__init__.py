"""soleus-screen's domain: intake -> rules -> result. It never imports a face (api/).

    from screening import default_screener
    result = default_screener().screen(payload)

The screening path, in the order a screening takes it:
- `service.py`: the Screener, the one entry: validates an intake, derives, fires the rules, builds the result.
- `intake/`: the intake's schema and its fast path, the flat (CSV) form, list bounds, messages in words.
- `derive.py`: the computed inputs (load ratios, asymmetry, against-norm figures) from an intake and its history.
- `engine.py`: durable_rules, a fresh session per screening, every matching rule fired.
- `ruleset/`: the rule data (rules/*.yaml) loaded, checked and compared; points from effect sizes.
- `result/`: the result built from the fired rules, its schema, and every face's words for it.
- `programme/`: the bent-knee soleus loading programme chosen from a screening.
- `over_time/`: a runner's earlier screenings as series, the change since the previous one, the team view.

Beside it:
- `errors.py`: the exception tree every face maps to its own answer.
- `timestamps.py`: parsing and writing times (RFC 3339, UTC), the clock-skew allowance.
- `history/`: the store: every screening kept (SQLite or PostgreSQL), read back, audited and erased.
- `roster/`: a whole roster screened in chunks (processes or Dask), its files and report.
- `interop/`: FHIR R4 (QuestionnaireResponse in, RiskAssessment out) and CDS Hooks cards.
"""

from screening.errors import EngineError, IntakeError, RulesError, ScreeningError
from screening.service import Screener, default_screener

__all__ = ["EngineError", "IntakeError", "RulesError", "Screener", "ScreeningError", "default_screener"]

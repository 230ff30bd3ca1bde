"""soleus-screen's domain: intake -> rules -> result.

from screening import default_screener
result = default_screener().screen(payload)
"""

from screening.errors import EngineError, IntakeError, RulesError, ScreeningError
from screening.service import Screener, default_screener

__all__ = ["EngineError", "IntakeError", "RulesError", "Screener", "ScreeningError", "default_screener"]

"""Exceptions raised by the screening core.

    ScreeningError
    ├── RulesError        the rule data in rules/ is broken (raised at load time)
    ├── IntakeError       an intake failed validation (carries errors by field path)
    ├── EngineError       the rules engine failed during a screening
    ├── CsvError          a CSV cannot be read as a roster, naming the row
    │                     (screening/intake/csv_reader.py)
    └── UnusableRoster    a roster file or output folder cannot be used at all;
                          nothing is written (raised by screening/roster/read/ and output/)

Each one means the caller gets no result: a screening is never returned
partially evaluated, and a roster's files appear only when every row was read.
CsvError lives with the module that raises it.
"""


class ScreeningError(Exception):
    """Base class of every error the screening core raises on purpose."""


class RulesError(ScreeningError):
    """Raised when a file in rules/ is invalid; the message names file and rule."""


class IntakeError(ScreeningError):
    """Raised when an intake is invalid.

    `errors` maps each field path (`training.weekly_distance.3`, or `_schema`
    for whole-intake problems) to a list of messages saying what was expected.
    """

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        fields = ", ".join(sorted(errors))
        super().__init__(f"invalid intake: {fields}")


class EngineError(ScreeningError):
    """Raised when a rule action failed or the engine reported an error.

    A partial set of fired rules would understate risk, so the screening is
    abandoned instead.
    """


class UnusableRoster(ScreeningError):
    """The roster (or the output folder) cannot be used at all; nothing is written."""

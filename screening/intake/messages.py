"""An intake's validation errors for people: marshmallow's messages in plain language, field paths from 1.

Every face that shows an invalid intake (the clinic form, the command line,
the roster report) says its errors through these two, so a runner's data
reads the same everywhere: "Enter a number from 12 to 100." instead of the
schema library's wording, "week 9 of training.weekly_distance" instead of a
list index counted from 0.
"""

import re

_POSITION = re.compile(r"^(?P<list>[a-z_.]+?)\.(?P<index>\d+)(?P<rest>(\..*)?)$")
LIST_ITEMS = {"training.weekly_distance": "week"}


def field_in_words(path: str) -> str:
    """A field path with list positions counted from 1.

    "training.weekly_distance.8" -> "week 9 of training.weekly_distance".
    """
    match = _POSITION.match(path)
    if not match:
        return "the intake as a whole" if path == "_schema" else path
    item = LIST_ITEMS.get(match["list"], "item")
    return f"{item} {int(match['index']) + 1} of {match['list']}{match['rest']}"


_RANGE = re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+?)\.$")
_AT_LEAST = re.compile(r"^Must be greater than or equal to (\S+?)\.$")
_AT_MOST = re.compile(r"^Must be less than or equal to (\S+?)\.$")
_ONE_OF = re.compile(r"^Must be one of: (.+)\.$")
_LENGTH = re.compile(r"^Length must be between (\d+) and (\d+)\.$")
_PLAIN = {
    "Not a valid integer.": "Enter a whole number.",
    "Not a valid number.": "Enter a number.",
    "Not a valid boolean.": "Answer yes or no.",
    "Missing data for required field.": "This is needed: fill it in.",
    "Not a valid string.": "Enter text.",
    "Field may not be null.": "This is needed: fill it in.",
    "Must not be null.": "This is needed: fill it in.",
}


def plain_message(message: str) -> str:
    """A validation message in plain language ("Enter a number from 12 to 100.")."""
    if message in _PLAIN:
        return _PLAIN[message]
    if match := _RANGE.match(message):
        return f"Enter a number from {match[1]} to {match[2]}."
    if match := _AT_LEAST.match(message):
        return f"Enter {match[1]} or more."
    if match := _AT_MOST.match(message):
        return f"Enter {match[1]} or less."
    if match := _ONE_OF.match(message):
        choices = [choice.strip() for choice in match[1].split(",")]
        return f"Choose {', '.join(choices[:-1])} or {choices[-1]}." if len(choices) > 1 else f"Choose {choices[0]}."
    if match := _LENGTH.match(message):
        return f"Give from {match[1]} to {match[2]} entries."
    return message

"""The soleus programme: a bent-knee heel-raise plan from every screening (rules/programme.yaml).

    model.py          the programme's records, each number and choice with its source
    schemas.py        the shape of rules/programme.yaml, as strict marshmallow schemas
    loader.py         rules/programme.yaml read into ProgrammeRules, refusing what a clinician could not trust
    choose.py         the stage from one screening's heel raises and pain
    build.py          the result's `programme` section: prescribed with its stage, or withheld with why
    earlier.py        the programme across visits: earlier heel raises and stages, the change in words
    result_schema.py  the result's `programme` section (contract v1), as marshmallow schemas
    words.py          the section in plain text: the text note's lines, a one-line summary, a roster's cell
    trend.py          the heel-raise trend per leg across visits, as the note draws it
    drawings/         the SVGs of each exercise, made by hand and shipped with the package

`drawing(name)` below reads one of them through importlib.resources.
"""

from importlib import resources
from pathlib import Path

DRAWINGS = Path(str(resources.files("screening.programme") / "drawings"))


def drawing(name: str) -> str:
    """The SVG text of one exercise's drawing (a file of drawings/)."""
    return (resources.files("screening.programme") / "drawings" / name).read_text(encoding="utf-8")

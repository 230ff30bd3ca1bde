"""The soleus programme: a bent-knee heel-raise plan from every screening (rules/programme.yaml).

model (the records), schemas + loader (the file, checked), choose (the stage),
build (the result's section), earlier (across visits), drawings/ (the SVGs of
each exercise, made by hand and shipped with the package), result_schema (the
section's contract).
"""

from importlib import resources
from pathlib import Path

DRAWINGS = Path(str(resources.files("screening.programme") / "drawings"))


def drawing(name: str) -> str:
    """The SVG text of one exercise's drawing (a file of drawings/)."""
    return (resources.files("screening.programme") / "drawings" / name).read_text(encoding="utf-8")

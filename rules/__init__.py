"""The soleus ruleset as data: rules, thresholds, norms and recommendations.

Nothing here is code; the YAML files beside this module are read by
`screening.ruleset.loader`. This module only tells where they are, through
`importlib.resources`, so the files are found the same way from a source checkout
and from an installed package.

- `*.yaml`: the rules, the programme, the norms and the recommendations (loaded and checked by the loader).
- `parameters/`: the thresholds and points of each rule file, each with its evidence or its design choice.
"""

from importlib.resources import files
from pathlib import Path

# A package installed as files (a checkout, a wheel unpacked by pip): its resources are real paths,
# which the loader and the rulebook's "view source" links need.
RULES_DIR = Path(str(files(__name__)))

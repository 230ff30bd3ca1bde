"""The soleus ruleset as data: rules, thresholds, norms and recommendations.

Nothing here is code; the YAML files beside this module are read by
`screening.ruleset.loader`. This module only tells where they are, so the files are
found the same way from a source checkout and from an installed package.
"""

from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent

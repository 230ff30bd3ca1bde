"""The ruleset: `rules/` loaded, checked and held as immutable records.

`loader` reads the ruleset's files and `rule_files` each group's rules (points
from effect sizes, raised or tapering), `reading` loads one mapping with its
strict schema, `checks` holds the checks across files, `model` holds the
records and describes them in words, `strict_yaml` refuses duplicate keys.
"""

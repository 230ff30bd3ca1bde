"""The ruleset: `rules/` loaded, checked and held as immutable records.

`loader` reads and checks the YAML, `model` holds the records and describes
them in words, `strict_yaml` refuses duplicate keys.
"""

"""The ruleset: `rules/` loaded, checked and held as immutable records.

    loader.py       rules/ read into one `Ruleset`, refusing anything a clinician could not trust
    rule_files.py   one group's file (rules/<group>.yaml) read into rules: conditions checked, points computed
    reading.py      one mapping of a rules file loaded with its strict schema, naming the file on any error
    schemas.py      the shapes of the rules files, as strict marshmallow schemas
    strict_yaml.py  YAML that refuses duplicate keys
    checks.py       the checks across the files of a loaded ruleset
    model.py        the records (rules, inputs, thresholds, bands, norms), each described in words
    points.py       where a rule's points come from: a study's effect, Sullivan's rounding, a taper
    compare.py      each comparison operator a term may use, as the function that compares

`model.format_number` writes a threshold as a clinician would (1.10, 40
years): the ruleset says its own thresholds in every result's `condition`, so
it lives here, below `screening.result`, which imports it.
"""

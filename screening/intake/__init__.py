"""Intake: validate a runner's data (JSON, form fields, CSV rows) into one typed intake.

The marshmallow schema in `schema` is the one definition of a valid intake;
`fast` accepts JSON through types compiled from it, `flat` reads dotted text
fields (forms, CSV cells), `csv_reader` splits a CSV roster into rows.
"""

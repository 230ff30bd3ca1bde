"""Intake: validate a runner's data (JSON, form fields, CSV rows) into one typed intake.

    schema.py      the marshmallow IntakeSchema: the one definition of a valid intake
    fields.py      fields that do not coerce (whole numbers, numbers, booleans, RFC 3339 times), the strict base schema
    json_keys.py   a JSON object that names a key twice refused (json.loads, msgspec and ijson keep the last)
    fast.py        JSON accepted through msgspec types compiled from the schema; marshmallow judges the rest
    bounds.py      a list past its schema's maximum length refused before marshmallow reads an item
    flat.py        dotted text fields (forms, CSV cells) read into an intake and validated
    csv_reader.py  a CSV roster split into rows of dotted fields, naming the row of each problem
    messages.py    validation messages in plain language, field paths with list positions counted from 1

Every way in meets the same schema: a form, a CSV row and a JSON body obey
exactly the same rules.
"""

"""Results: the fired rules turned into the contract's result, its schema, and the text note.

`builder` aggregates rule data into a result, `schema` describes a result for
OpenAPI and tests, `text_note` renders it for a clinician.
"""

"""Results: the fired rules turned into the contract's result, its schema, and the notes' words.

    builder.py         the fired rules -> one result (referral, recommendations, explanation, not assessed)
    risk.py            the score, its band and the caps; the scale the result carries
    schema.py          the result (contract v1) as marshmallow schemas, for OpenAPI and tests
    history_schema.py  its `history` section: the change since the previous screening, the baselines
    values.py          one value in words: numbers, distances, weeks, percentages, a local time (a leaf)
    conditions.py      a rule's condition in words, with the runner's values or in general; rule titles
    field_words.py     field paths and a rule's needs in a coach's words, the roster columns named beside
    sections.py        the result's sections in words: its risk (band, multiple, scale), derived values, history
    listing.py         how the points add up: the rules that scored, the caps, the rest
    entered.py         what was entered, every value of the intake in rows for the note
    scale.py           the drawn scale of the HTML note (where the score sits among the bands)
    text_note.py       the whole result as the plain-text note a clinician keeps
    palette.css        the colours every page shares: the notes, the rulebook, the roster report (package data)

The words import down, never back up: `values` imports nothing of this
package; `conditions`, `sections` and `entered` import `values`; `field_words` imports `conditions`; `text_note`
imports them all. An intake's validation messages are worded in
`screening.intake.messages`.
"""

"""Results: the fired rules turned into the contract's result, its schema, and the notes' words.

`builder` aggregates rule data into a result (`risk`: score, band, caps),
`schema` describes a result for OpenAPI and tests, `text_note` renders it for
a clinician, `wording` and `derived_words` say its parts in words, `listing`
says how its points add up, `entered` what was entered, `scale` the drawn scale.
"""

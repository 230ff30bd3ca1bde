"""The JSON API under /v1: flask-smorest blueprints, each in the OpenAPI spec.

    screenings.py              POST /v1/screenings (one intake) and /v1/screenings/batch
    roster_request.py          a roster sent in one request: its body read, its answer documented
    runner_history.py          a runner's stored screenings read back and erased
    runner_history_schemas.py  those endpoints' parameters and answer schemas
    teams.py                   a team's runners over time: latest screenings, changes, counts
    audit_entries.py           the audit trail: who screened, read or erased which runner
    rulebook.py                GET /v1/rules: the loaded ruleset, rule by rule

Each registers with the Api in api.create_app, in the order the spec lists them.
"""

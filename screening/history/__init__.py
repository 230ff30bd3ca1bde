"""Runner history: every screening stored (SQLite by default, PostgreSQL to scale out), read back exactly.

Storage only (what a screening computes from the rows is screening/over_time/),
and nothing is imported here: a module that needs one piece of the store
imports that module, and `import screening.service` loads no SQLAlchemy.

    store          Store: the repository (add, record, add_many, result, history, page, trend, erase, prune, ...)
    database       the engines (SQLite PRAGMAs, WAL, the pool, PostgreSQL's connect timeout), the writers' lock file
    screening_row  ScreeningRow: one stored screening as a row, and the fact and team columns it states
    tables         the tables (SQLAlchemy Core): screenings, team_runners, keys, accounts, sessions, audit, CDS tokens
    queries        every statement Store runs on the screenings, each written once (RECENT, TREND, TEAM_RUNNERS, ...)
    reads          the rows those read, made into over_time objects (RunnerHistory, TeamRunner)
    group_commit   the screenings that arrive together committed in one transaction; the writers' flock
    runner_lock    one runner's screenings stored one after another (thread, file and advisory locks)
    failures       why the database failed in its own words (describe, failure_reason), StoreBusy
    store_health   whether the store can be reached and written, for /ready
    erasure        an erasure reaching the disk: a SQLite file's checkpoint after a delete
    audit_trail    the audit trail: its entries, their filters, pages, export and retention
    backup         a SQLite store copied to a file under write load, and put back
    migrate        the schema brought to the newest migration, or how far behind it is (SchemaBehind)
    migrations/    the Alembic migrations (package data)
"""

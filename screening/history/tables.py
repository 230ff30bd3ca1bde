"""The history store's tables (SQLAlchemy Core): one row per stored screening.

A runner is (team, runner_id): runner ids are pseudonymous and unique only
within one club or clinic. A screening stored without a team has team ''
(the empty key), so every lookup is one equality on the same index, on
SQLite and PostgreSQL alike. `result` is the JSON text exactly as it was sent;
`intake` the validated intake. The summary columns (score, band, urgency,
fired rule ids, and the trend's inputs) are copies for queries, never the
source of what is shown again.
"""

from sqlalchemy import JSON, Boolean, Column, DateTime, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

screenings = Table(
    "screenings",
    metadata,
    Column("screening_id", String(64), primary_key=True),
    Column("team", String(64), nullable=False, server_default=""),
    Column("runner_id", String(64), nullable=False),
    Column("screened_at", DateTime(), nullable=False),
    Column("ruleset_version", String(32), nullable=False),
    Column("intake", Text(), nullable=False),
    Column("result", Text(), nullable=False),
    Column("score", Integer(), nullable=False),
    Column("band", String(16), nullable=False),
    Column("urgency", String(16), nullable=True),
    Column("fired", JSON(), nullable=False),
    Column("fatigue", Integer(), nullable=True),
    Column("soreness", Integer(), nullable=True),
    Column("weekly_km", Float(), nullable=True),
    Column("ostrc_severity", Integer(), nullable=True),
    # The weekly distances as entered, '["km",[38,40]]' (unit, oldest first): later screenings merge them.
    Column("weeks", Text(), nullable=True),
    # Facts later screenings read (migration 0004): how long the soreness had lasted; a previous DVT recorded
    # (true), said to be in error (false) or neither (null); the calf strain's date, or that it was in error.
    Column("soreness_days", Integer(), nullable=True),
    Column("previous_dvt", Boolean(), nullable=True),
    Column("calf_strain_on", DateTime(), nullable=True),
    Column("calf_strain_error", Boolean(), nullable=True),
    # Newest first within a runner, ties by screening id: every runner read walks this index, never sorts,
    # and finds every column it reads there (migration 0003; on PostgreSQL the columns after screening_id
    # are INCLUDEd, json having no btree operator), never the ~17 KB rows.
    Index(
        "ix_screenings_runner_reads",
        "team",
        "runner_id",
        "screened_at",
        "screening_id",
        "fatigue",
        "soreness",
        "weeks",
        "ruleset_version",
        "score",
        "band",
        "urgency",
        "fired",
        "weekly_km",
        "ostrc_severity",
        "soreness_days",
        "previous_dvt",
        "calf_strain_on",
        "calf_strain_error",
    ),
    Index("ix_screenings_screened_at", "screened_at"),
)

"""The service's tables (SQLAlchemy Core): one row per stored screening; keys, accounts, the audit trail.

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
TEAM_COLUMNS = (
    ("runner_group", String(64)),
    ("fatigue_z", Float()),
    ("soreness_z", Float()),
    ("previous_score", Integer()),
    ("previous_band", String(16)),
    ("previous_urgency", String(16)),
    ("programme_stage", String(16)),  # screenings has it from 0006_programme; team_runners copies it
)

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
    # Facts later screenings read (migration 0005): how long the soreness had lasted; a previous DVT recorded
    # (true), said to be in error (false) or neither (null); the calf strain's date, or that it was in error.
    Column("soreness_days", Integer(), nullable=True),
    Column("previous_dvt", Boolean(), nullable=True),
    Column("calf_strain_on", DateTime(), nullable=True),
    Column("calf_strain_error", Boolean(), nullable=True),
    # What the soleus programme reads of earlier screenings (migration 0006_programme): the heel raises per leg
    # as entered (null: not tested) and the stage the programme gave ('stage_2', 'withheld'; null: before it).
    Column("heel_raise_left", Integer(), nullable=True),
    Column("heel_raise_right", Integer(), nullable=True),
    Column("programme_stage", String(16), nullable=True),
    # What the team page shows of a runner's latest screening (migration 0008_team): the runner's group, the
    # z-scores against their own baseline, the previous screening as the result compared with it (the
    # programme stage is the programme's column above). Copied into team_runners by the database's triggers.
    *(Column(name, kind, nullable=True) for name, kind in TEAM_COLUMNS if name != "programme_stage"),
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
        "heel_raise_left",
        "heel_raise_right",
        "programme_stage",
    ),
    Index("ix_screenings_screened_at", "screened_at"),
)

# Each runner's newest screening (migration 0008_team), one row per (team, runner_id): the team page reads
# a team's rows by the primary key, never the screenings. Written only by the triggers on screenings (an
# insert of a newer screening replaces the row; deleting the one it copies puts the next newest in its place).
team_runners = Table(
    "team_runners",
    metadata,
    Column("team", String(64), primary_key=True),
    Column("runner_id", String(64), primary_key=True),
    Column("screening_id", String(64), nullable=False),
    Column("screened_at", DateTime(), nullable=False),
    Column("score", Integer(), nullable=False),
    Column("band", String(16), nullable=False),
    Column("urgency", String(16), nullable=True),
    *(Column(name, kind, nullable=True) for name, kind in TEAM_COLUMNS),
)

# Who may use the service, and what they did: the service's own tables beside the screenings (migration 0004).
# A key is kept as the SHA-256 of its token, never the token; an account's password as its argon2 hash.
api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("team", String(64), nullable=False),
    Column("scopes", String(200), nullable=False),  # space-separated, as an OAuth scope
    Column("created_at", DateTime(), nullable=False),
    Column("expires_at", DateTime(), nullable=True),
    Column("revoked_at", DateTime(), nullable=True),
    Column("last_used_at", DateTime(), nullable=True),
)
accounts = Table(
    "accounts",
    metadata,
    Column("email", String(254), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("teams", JSON(), nullable=False),  # team keys, or ["*"]: every team (the first admin)
    Column("password_hash", String(200), nullable=False),
    Column("must_change_password", Integer(), nullable=False, server_default="0"),
    Column("disabled_at", DateTime(), nullable=True),
    Column("created_at", DateTime(), nullable=False),
)
# A signed-in person's session: the cookie names one of these rows, so signing out (deleting it) ends the
# session even for a copy of the cookie, and each sign-in gets a new id (no session fixation).
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("session_sha256", String(64), primary_key=True),
    Column("email", String(254), nullable=False),  # the account, or the OpenID provider's subject
    Column("role", String(16), nullable=False),
    Column("teams", JSON(), nullable=False),
    Column("source", String(16), nullable=False),  # "password" or "oidc"
    Column("created_at", DateTime(), nullable=False),
    Column("expires_at", DateTime(), nullable=False),
    Index("ix_web_sessions_email", "email"),
)
# Every access to a runner's data, and every refusal of one: who, which team, what, which runner or
# screening, the outcome. Never an intake value or a result.
audit_events = Table(
    "audit_events",
    metadata,
    Column("event_id", String(32), primary_key=True),
    Column("at", DateTime(), nullable=False),
    Column("actor", String(254), nullable=True),  # key name, account, token subject, OS user; null: none given
    Column("actor_kind", String(16), nullable=False),  # key | account | oidc | cli | anonymous | none
    Column("team", String(64), nullable=True),
    Column("action", String(32), nullable=False),
    Column("runner_id", String(64), nullable=True),
    Column("screening_id", String(64), nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("status", Integer(), nullable=True),
    Column("request_id", String(64), nullable=True),
    Column("client_address", String(64), nullable=True),
    Column("reason", String(200), nullable=True),  # why, where the action takes one (removing one screening)
    Index("ix_audit_events_at", "at", "event_id"),
    Index("ix_audit_events_runner", "team", "runner_id", "at"),
)
# CDS Hooks tokens accepted (migration 0007_ops): the SHA-256 of issuer and jti, until the token expires, so a
# token is accepted once across every worker and replica on this database.
cds_tokens_seen = Table(
    "cds_tokens_seen",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("expires_at", DateTime(), nullable=False),
    Index("ix_cds_tokens_seen_expires_at", "expires_at"),
)

"""Alembic environment: run migrations on the connection `screening.history.migrate` hands over.

There is no alembic.ini: the store builds the Config in code, so an installed
copy finds these files as package data. SQLite cannot ALTER most things, so
migrations run in batch mode there (render_as_batch) and the same migration
files serve both databases.
"""

from alembic import context

from screening.history.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()

"""Alembic environment: runs on the connection handed over by workflow.db.engine.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from workflow.db.tables import metadata

connection: Connection | None = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through workflow.db.engine.migrate")
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()

"""The migrations: they build exactly the tables the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from workflow.db.engine import SCHEMA_HEAD, current_revision, head_revision, make_engine
from workflow.db.models import Base


def test_the_schema_head_constant_names_the_newest_migration() -> None:
    """Commands compare against SCHEMA_HEAD; it must be the newest revision on disk."""
    assert head_revision() == SCHEMA_HEAD


def test_the_migrated_schema_matches_the_models(database_url: str) -> None:
    """No table, column, index or constraint differs between migrations and models."""
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == SCHEMA_HEAD
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []
    finally:
        engine.dispose()

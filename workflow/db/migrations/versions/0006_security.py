"""security: server-side sessions, disabled accounts, keys out of the database

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

The link signing key that 0004 kept in `instance_secrets` (and the cookie key derived from it)
could be read by anyone who could read the database, so it counts as exposed: the table is
dropped, and links and sessions are now signed with keys derived from the master key outside
the database (workflow/keys.py). Personal links mailed before this upgrade no longer verify;
the facilitator sends a new invitation, call or request where one is still needed (the page
behind an old link says it is not valid and to ask for a new one). Every link issued under the
old key is also marked revoked (`key_retired`), so the record says why it stopped. Sessions
move to the server (`web_sessions`): everyone logs in again once after the upgrade.
`key_checks` keeps a check value (an HMAC, not the key) of each master key the installation
accepts; the first process after the upgrade records its keys there.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import workflow.db.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("disabled_at", workflow.db.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("csrf_token", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", workflow.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", workflow.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", workflow.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["access_links.id"],
            name=op.f("fk_web_sessions_link_id_access_links"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_web_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_web_sessions")),
    )
    op.create_index(
        op.f("ix_web_sessions_expires_at"), "web_sessions", ["expires_at"], unique=False
    )
    op.create_index(op.f("ix_web_sessions_link_id"), "web_sessions", ["link_id"], unique=False)
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"], unique=False)
    op.create_table(
        "key_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_value", sa.String(length=64), nullable=False),
        sa.Column("added_at", workflow.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_checks")),
        sa.UniqueConstraint("check_value", name=op.f("uq_key_checks_check_value")),
    )
    # Links signed with the exposed key: on record as revoked, with the reason.
    links = sa.table(
        "access_links",
        sa.column("revoked_at", workflow.db.types.UTCDateTime(timezone=True)),
        sa.column("revoked_reason", sa.String(32)),
    )
    op.execute(
        links.update()
        .where(links.c.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC), revoked_reason="key_retired")
    )
    op.drop_table("instance_secrets")
    # The dashboard pages through procedures oldest first (not part of security: added here
    # because this is the revision being made).
    op.create_index("ix_procedures_created_at_id", "procedures", ["created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_procedures_created_at_id", table_name="procedures")
    secrets_table = op.create_table(
        "instance_secrets",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_instance_secrets")),
    )
    # A new key, never the old one: links signed since the upgrade do not verify under it.
    op.bulk_insert(secrets_table, [{"name": "link_key", "value": secrets.token_hex(32)}])
    op.drop_table("key_checks")
    op.drop_index(op.f("ix_web_sessions_user_id"), table_name="web_sessions")
    op.drop_index(op.f("ix_web_sessions_link_id"), table_name="web_sessions")
    op.drop_index(op.f("ix_web_sessions_expires_at"), table_name="web_sessions")
    op.drop_table("web_sessions")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("disabled_at")

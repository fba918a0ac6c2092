"""web: users, personal links, proposed criteria

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

import workflow.db.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", workflow.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_failed_at", workflow.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "access_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.String(length=80), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", workflow.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", workflow.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", workflow.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedures.id"],
            name=op.f("fk_access_links_procedure_id_procedures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_links")),
        sa.UniqueConstraint("nonce_hash", name=op.f("uq_access_links_nonce_hash")),
    )
    op.create_index(
        "ix_access_links_subject",
        "access_links",
        ["procedure_id", "purpose", "subject_id"],
        unique=False,
    )
    secrets_table = op.create_table(
        "instance_secrets",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_instance_secrets")),
    )
    # Made here, once per installation: every process that signs or checks a link reads it.
    op.bulk_insert(secrets_table, [{"name": "link_key", "value": secrets.token_hex(32)}])
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("proposed_criteria", sa.String(length=16), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("updated_at", workflow.db.types.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("list_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("advice_ref", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("advice_date", sa.Date(), nullable=True))
    # Links of the earlier unsigned form cannot be checked any more; a new invitation or
    # call for nominations issues signed ones.
    with op.batch_alter_table("experts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_experts_link_token_hash", type_="unique")
        batch_op.drop_column("link_token_hash")


def downgrade() -> None:
    with op.batch_alter_table("experts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_token_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_experts_link_token_hash", ["link_token_hash"])
    with op.batch_alter_table("list_versions", schema=None) as batch_op:
        batch_op.drop_column("advice_date")
        batch_op.drop_column("advice_ref")
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("proposed_criteria")
    op.drop_table("instance_secrets")
    op.drop_index("ix_access_links_subject", table_name="access_links")
    op.drop_table("access_links")
    op.drop_table("users")

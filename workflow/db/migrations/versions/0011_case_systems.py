"""case systems: an information system may be a ZGW Zaken API (its URL, client id, the
environment variable of its secret, the case types to search); the cases found per hotspot

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import workflow.db.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("information_systems", schema=None) as batch_op:
        batch_op.add_column(sa.Column("zaken_url", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("client_id", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("secret_env", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("zaaktypen", sa.JSON(), nullable=True))
    op.create_table(
        "zgw_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.String(length=80), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("identificatie", sa.String(length=100), nullable=False),
        sa.Column("omschrijving", sa.String(length=300), nullable=False),
        sa.Column("zaaktype", sa.String(length=1000), nullable=False),
        sa.Column("startdatum", sa.Date(), nullable=True),
        sa.Column("einddatum", sa.Date(), nullable=True),
        sa.Column("found", sa.JSON(), nullable=False),
        sa.Column("found_at", workflow.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("selected", sa.Boolean(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("selected_by", sa.String(length=200), nullable=True),
        sa.Column("selected_at", workflow.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("applied_at", workflow.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("outcome", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["procedure_id"], ["procedures.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["system_id"], ["information_systems.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("procedure_id", "candidate_id", "url"),
    )
    op.create_index(op.f("ix_zgw_cases_procedure_id"), "zgw_cases", ["procedure_id"])
    op.create_index(op.f("ix_zgw_cases_system_id"), "zgw_cases", ["system_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_zgw_cases_system_id"), table_name="zgw_cases")
    op.drop_index(op.f("ix_zgw_cases_procedure_id"), table_name="zgw_cases")
    op.drop_table("zgw_cases")
    with op.batch_alter_table("information_systems", schema=None) as batch_op:
        batch_op.drop_column("zaaktypen")
        batch_op.drop_column("secret_env")
        batch_op.drop_column("client_id")
        batch_op.drop_column("zaken_url")

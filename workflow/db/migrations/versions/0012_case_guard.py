"""case guard: each kept case's last check (drift guard) and an explanation for a failure that
stays; when a hotspot's case system was last searched; a case system's Catalogi API and the
name of each found case's case type

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import workflow.db.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("zgw_cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("checked_at", workflow.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("check_result", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("check", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("explanation", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("zaaktype_omschrijving", sa.String(length=300), nullable=True)
        )
    with op.batch_alter_table("information_systems", schema=None) as batch_op:
        batch_op.add_column(sa.Column("catalogi_url", sa.String(length=500), nullable=True))
    with op.batch_alter_table("inventory_systems", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("searched_at", workflow.db.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("inventory_systems", schema=None) as batch_op:
        batch_op.drop_column("searched_at")
    with op.batch_alter_table("information_systems", schema=None) as batch_op:
        batch_op.drop_column("catalogi_url")
    with op.batch_alter_table("zgw_cases", schema=None) as batch_op:
        batch_op.drop_column("zaaktype_omschrijving")
        batch_op.drop_column("explanation")
        batch_op.drop_column("check")
        batch_op.drop_column("check_result")
        batch_op.drop_column("checked_at")

"""dutch conventions: a salutation per person, the invitation round's introduction text, the
information systems of a procedure defined once

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import workflow.db.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Everyone known before this revision is greeted neutrally ("Beste ...") until the
    # facilitator says otherwise: nobody is given a title by guesswork.
    for table in ("members", "experts"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("salutation", sa.String(16), nullable=False, server_default="neutraal")
            )
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invitation_intro", sa.Text(), nullable=True))
    op.create_table(
        "information_systems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("owner_email", sa.String(length=320), nullable=True),
        sa.Column("created_at", workflow.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["procedure_id"], ["procedures.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("procedure_id", "name_key"),
    )
    op.create_index(
        op.f("ix_information_systems_procedure_id"),
        "information_systems",
        ["procedure_id"],
        unique=False,
    )
    # Every system already searched for a hotspot becomes one of its procedure, with the
    # owner it was first listed with.
    op.execute(
        """
        INSERT INTO information_systems
            (procedure_id, name, name_key, owner, owner_email, created_at)
        SELECT s.procedure_id, s.system, lower(s.system), s.owner, s.owner_email,
               coalesce(s.created_at, CURRENT_TIMESTAMP)
        FROM inventory_systems s
        WHERE s.id = (
            SELECT min(t.id) FROM inventory_systems t
            WHERE t.procedure_id = s.procedure_id AND lower(t.system) = lower(s.system)
        )
        """
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_information_systems_procedure_id"), table_name="information_systems")
    op.drop_table("information_systems")
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.drop_column("invitation_intro")
    for table in ("experts", "members"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("salutation")

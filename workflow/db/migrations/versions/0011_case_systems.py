"""case systems: an information system may be a ZGW Zaken API (its URL, client id, the
environment variable of its secret, the case types to search)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

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


def downgrade() -> None:
    with op.batch_alter_table("information_systems", schema=None) as batch_op:
        batch_op.drop_column("zaaktypen")
        batch_op.drop_column("secret_env")
        batch_op.drop_column("client_id")
        batch_op.drop_column("zaken_url")

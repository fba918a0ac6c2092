"""accounts: named accounts with roles, sign-in through OpenID Connect

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

Every account gets a role: procesbegeleider (everything, as every account could before),
informatiebeheerder or archivaris (read the procedures and do the inventory). The accounts
that exist become procesbegeleider, so nobody loses what they could do. An account that signs
in through the organisation's identity provider is found by (issuer, subject).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        # The server default fills in the existing rows: each becomes procesbegeleider.
        batch_op.add_column(
            sa.Column(
                "role", sa.String(length=32), nullable=False, server_default="procesbegeleider"
            )
        )
        batch_op.add_column(sa.Column("oidc_issuer", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_users_oidc_issuer_oidc_subject"), ["oidc_issuer", "oidc_subject"]
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_oidc_issuer_oidc_subject"), type_="unique")
        batch_op.drop_column("oidc_subject")
        batch_op.drop_column("oidc_issuer")
        batch_op.drop_column("role")

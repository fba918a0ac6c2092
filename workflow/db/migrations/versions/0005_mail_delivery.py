"""mail delivery: retries counted from the failure, retry and address correction, alerts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import workflow.db.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _moment(name: str) -> sa.Column[object]:
    return sa.Column(name, workflow.db.types.UTCDateTime(timezone=True), nullable=True)


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        # The retry window counts from a message's first failed try.
        batch.add_column(_moment("first_failed_at"))
        # A failed message summarised to the facilitators (once).
        batch.add_column(_moment("reported_at"))
        # The personal link, encrypted, kept until the message is sent or failed for good;
        # what it was for, so a retry can issue a fresh one.
        batch.add_column(sa.Column("link_secret", sa.Text(), nullable=True))
        batch.add_column(sa.Column("link_purpose", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("link_subject_id", sa.Integer(), nullable=True))
        # Whose mail it is (expert or member, and their id): an address correction moves
        # that person's mail only.
        batch.add_column(sa.Column("recipient_kind", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("recipient_id", sa.Integer(), nullable=True))
    _backfill_recipients()
    op.create_table(
        "mail_problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("first_seen_at", workflow.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", workflow.db.types.UTCDateTime(timezone=True), nullable=False),
        _moment("resolved_at"),
        _moment("reported_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_problems")),
    )


# Mail queued before this revision: whose it is, where its address names exactly one kind of
# person in its procedure. An address shared by an expert and a member stays unassigned, so
# an address correction never moves someone else's mail.
_SAME = (
    "{table}.procedure_id = outbox.procedure_id "
    "AND {table}.email_key = lower(trim(outbox.recipient_email))"
)


def _backfill_recipients() -> None:
    for kind, table, other in (("expert", "experts", "members"), ("member", "members", "experts")):
        op.execute(
            sa.text(
                # Only constants are formatted in: the kinds and table names above.
                f"UPDATE outbox SET recipient_kind = '{kind}', "
                f"recipient_id = (SELECT min({table}.id) FROM {table} "
                f"WHERE {_SAME.format(table=table)}) "
                "WHERE recipient_kind IS NULL AND procedure_id IS NOT NULL "
                f"AND EXISTS (SELECT 1 FROM {table} WHERE {_SAME.format(table=table)}) "
                f"AND NOT EXISTS (SELECT 1 FROM {other} WHERE {_SAME.format(table=other)})"
            )
        )


def downgrade() -> None:
    op.drop_table("mail_problems")
    with op.batch_alter_table("outbox") as batch:
        for column in (
            "recipient_id",
            "recipient_kind",
            "link_subject_id",
            "link_purpose",
            "link_secret",
            "reported_at",
            "first_failed_at",
        ):
            batch.drop_column(column)

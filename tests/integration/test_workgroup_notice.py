"""The facilitator's message to the workgroup: mailed to every member, in the audit trail."""

from __future__ import annotations

from sqlalchemy import select

from notifications.outbox import OUTBOX
from states.audit_actions import AuditAction
from tests import support
from workflow.app import App
from workflow.commands import notices


def test_a_notice_reaches_every_member_and_is_audited(app: App) -> None:
    pid = support.open_procedure(app)
    support.fill_workgroup(app, pid)
    notices.send_notice(
        app, pid, subject="Tweede bijeenkomst", text="Schuift een week op.", actor="sanne"
    )
    with app.read() as db:
        kinds = (
            db.execute(select(OUTBOX.c.kind).where(OUTBOX.c.procedure_id == pid)).scalars().all()
        )
    assert kinds.count("workgroup_notice") == 4  # Sanne, Bert, Carla and Dirk


def test_the_audit_page_reads_the_notice_as_a_sentence() -> None:
    sentence = AuditAction.WORKGROUP_NOTICE.sentence(
        "Sanne de Vries", {"subject": "Tweede bijeenkomst"}, "nl"
    )
    assert sentence == "Sanne de Vries stuurde de werkgroep een bericht: Tweede bijeenkomst"

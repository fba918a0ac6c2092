"""A message from the facilitator to the workgroup, mailed to every member and audited."""

from __future__ import annotations

from typing import Any

from states.actions import Action
from states.audit_actions import AuditAction
from workflow import validation
from workflow.app import App
from workflow.commands.base import Change, run_change
from workflow.events import WorkgroupNoticed


def send_notice(
    app: App, procedure_id: str, *, subject: str, text: str, actor: str
) -> dict[str, Any]:
    title = validation.single_line("subject", subject, max_length=200)
    message = validation.text("text", text, max_length=10_000)

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.NOTIFY_WORKGROUP)
        change.record(WorkgroupNoticed(title, message))
        change.data["subject"] = title
        return {"ok": True, "procedure": change.procedure.id, "phase": change.procedure.phase}

    return run_change(app, procedure_id, actor, AuditAction.WORKGROUP_NOTICE, body)

"""Withdrawing personal links: the facilitator's answer to a link in the wrong hands.

Every kind of link can be revoked: an expert's (portal), an archivist's (advice) and
management's (decision). Links also end on their own when their step is done (advice or
decision recorded, workflow.commands.decision) or the procedure is closed or cancelled
(workflow.commands.procedures), in the transaction of that step.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from states.errors import InvalidInput
from states.i18n import Text
from workflow import links, validation
from workflow.app import App
from workflow.commands.base import Change, run_change
from workflow.db import models as m
from workflow.links import Purpose

PURPOSE_WORDS = {
    Purpose.EXPERT: Text("expertportaal", "expert portal"),
    Purpose.ADVICE: Text("advies", "advice"),
    Purpose.DECISION: Text("besluit", "decision"),
}


def purposes_of(value: str | Purpose | None, field: str = "purpose") -> tuple[Purpose, ...]:
    """One purpose by name, or all three for None or an empty value."""
    if value is None or value == "":
        return tuple(Purpose)
    try:
        return (Purpose(value),)
    except ValueError:
        raise InvalidInput(
            field,
            Text(
                f"{value!r} is geen soort link; kies uit {', '.join(p.value for p in Purpose)}",
                f"{value!r} is not a kind of link; choose from "
                f"{', '.join(p.value for p in Purpose)}",
            ),
        ) from None


def revoke_links(
    app: App,
    procedure_id: str,
    email: str,
    *,
    actor: str,
    purpose: str | Purpose | None = None,
    reason: str | None = None,
    field: str = "email",
) -> dict[str, Any]:
    """Revoke every live link of the person with `email` (for one purpose, or all).

    Allowed in any phase: taking access away is never a risk. The sessions opened with those
    links end on their next request. A new link follows only from a new invitation, call or
    request, which the facilitator sends separately. Audited as `link.revoke`.
    """
    wanted = purposes_of(purpose)
    address = validation.email(field, email)
    key = validation.email_key(address)
    why = validation.text("reason", reason, max_length=4000, required=False) or None

    def body(change: Change) -> dict[str, Any]:
        pid, run = change.procedure.id, change.connection.execute
        experts = list(
            run(
                select(m.Expert.id).where(m.Expert.procedure_id == pid, m.Expert.email_key == key)
            ).scalars()
        )
        members = list(
            run(
                select(m.Member.id).where(m.Member.procedure_id == pid, m.Member.email_key == key)
            ).scalars()
        )
        if not experts and not members:
            raise InvalidInput(
                field,
                Text(
                    f"{address} is geen expert of werkgroeplid van deze procedure",
                    f"{address} is not an expert or workgroup member of this procedure",
                ),
            )
        counts: dict[str, int] = {}
        for kind in wanted:
            subjects = experts if kind is Purpose.EXPERT else members
            ended = sum(links.revoke(change.connection, pid, kind, s, change.now) for s in subjects)
            if ended:
                counts[kind.value] = ended
        revoked = sum(counts.values())
        if not revoked:
            what_nl = " of ".join(PURPOSE_WORDS[p].nl for p in wanted)
            what_en = " or ".join(PURPOSE_WORDS[p].en for p in wanted)
            raise InvalidInput(
                field,
                Text(
                    f"{address} heeft geen geldige persoonlijke link ({what_nl}) om in te trekken",
                    f"{address} has no valid personal link ({what_en}) to revoke",
                ),
            )
        change.data = {
            "experts": experts,
            "members": members,
            "purposes": counts,
            "revoked": revoked,
        }
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "revoked": revoked,
            "purposes": counts,
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "link.revoke", body, reason=why)


def revoke_expert_link(
    app: App, procedure_id: str, email: str, *, actor: str, reason: str | None = None
) -> dict[str, Any]:
    """Revoke an expert's portal link (the expert form on the procedure page)."""
    return revoke_links(
        app, procedure_id, email, actor=actor, purpose=Purpose.EXPERT, reason=reason, field="email"
    )

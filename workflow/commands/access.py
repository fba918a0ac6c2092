"""Withdrawing an expert's personal link: the facilitator's answer to a link in the wrong hands."""

from __future__ import annotations

from typing import Any

from states.errors import InvalidInput
from states.i18n import Text
from workflow import links, validation
from workflow.app import App
from workflow.commands.base import changing
from workflow.commands.people import find_expert
from workflow.links import Purpose


def revoke_expert_link(
    app: App, procedure_id: str, email: str, *, actor: str, reason: str | None = None
) -> dict[str, Any]:
    """Revoke every live personal link of one expert; their open sessions end on the next request.

    Allowed in any phase: taking access away is never a risk. A new link follows only from a
    new invitation (people.invite), which the facilitator sends separately.
    """
    why = validation.text("--reason", reason, max_length=4000, required=False) or None
    with changing(app, procedure_id, actor, "link.revoke", reason=why) as change:
        expert = find_expert(change, email, "EMAIL")
        revoked = links.revoke(
            change.connection, change.procedure.id, Purpose.EXPERT, expert.id, change.now
        )
        if not revoked:
            raise InvalidInput(
                "EMAIL",
                Text(
                    f"{expert.email} heeft geen geldige persoonlijke link om in te trekken",
                    f"{expert.email} has no valid personal link to revoke",
                ),
            )
        change.data = {"expert": expert.id, "purpose": Purpose.EXPERT.value, "revoked": revoked}
    return {
        "ok": True,
        "procedure": change.procedure.id,
        "expert": expert.id,
        "revoked": revoked,
        "phase": change.procedure.phase,
    }

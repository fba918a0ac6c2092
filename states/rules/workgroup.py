"""Rules for leaving the workgroup set-up: the required roles are filled."""

from __future__ import annotations

from states.config import RuleConfig
from states.i18n import Text
from states.rules.base import rule
from states.snapshot import Part, ProcedureSnapshot
from states.verdicts import Verdict, check


@rule("workgroup.required_roles", Part.MEMBERS)
def required_roles(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    filled = {m.role for m in snapshot.members}
    missing = [role for role in config.roles.required if role not in filled]
    have = len(config.roles.required) - len(missing)
    total = len(config.roles.required)
    if missing:
        figures = Text(
            f"{have} van {total} verplichte rollen vervuld; ontbreekt: {', '.join(missing)}",
            f"{have} of {total} required roles filled; missing: {', '.join(missing)}",
        )
    else:
        figures = Text(
            f"{total} van {total} verplichte rollen vervuld",
            f"{total} of {total} required roles filled",
        )
    return check(
        not missing,
        "",
        Text(
            "Elke verplichte rol in de hotspotwerkgroep is minstens één keer vervuld",
            "Every required workgroup role is filled at least once",
        ),
        figures,
        missing=missing,
        required=list(config.roles.required),
    )


RULES = [required_roles]

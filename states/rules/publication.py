"""Rules for leaving publication: the publication is recorded in full."""

from __future__ import annotations

from states.config import RuleConfig
from states.i18n import Text, format_date
from states.rules.base import rule
from states.snapshot import Part, ProcedureSnapshot
from states.verdicts import Verdict, check


@rule("publication.recorded", Part.PUBLICATION)
def recorded(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    pub = snapshot.publication
    if pub is None:
        figures = Text("nog geen publicatie vastgelegd", "no publication recorded yet")
    else:
        figures = Text(
            f"{pub.channel} {pub.reference}, in werking {format_date(pub.in_force)}, "
            f"bezwaartermijn {pub.objection_weeks} weken",
            f"{pub.channel} {pub.reference}, in force {format_date(pub.in_force, 'en')}, "
            f"objection period {pub.objection_weeks} weeks",
        )
    return check(
        pub is not None,
        "",
        Text(
            "De publicatie is vastgelegd: kanaal, kenmerk, datum van inwerkingtreding en "
            "bezwaartermijn",
            "The publication is recorded: channel, reference, date of entry into force and "
            "objection period",
        ),
        figures,
    )


RULES = [recorded]

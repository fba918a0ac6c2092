"""Rules for leaving the planning: every milestone set, in order, with enough lead time."""

from __future__ import annotations

import itertools

from states.config import RuleConfig
from states.i18n import Text, format_date
from states.rules.base import rule
from states.snapshot import Part, ProcedureSnapshot
from states.verdicts import Verdict, check, not_applicable


@rule("planning.milestones_set", Part.MILESTONES)
def milestones_set(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    keys = config.planning.milestones
    missing = [k for k in keys if k not in snapshot.milestones]
    done = len(keys) - len(missing)
    suffix_nl = f"; ontbreekt: {', '.join(missing)}" if missing else ""
    suffix_en = f"; missing: {', '.join(missing)}" if missing else ""
    return check(
        not missing,
        "",
        Text("Alle mijlpalen van de planning zijn vastgelegd", "Every planning milestone is set"),
        Text(
            f"{done} van {len(keys)} mijlpalen vastgelegd{suffix_nl}",
            f"{done} of {len(keys)} milestones set{suffix_en}",
        ),
        missing=missing,
    )


@rule("planning.milestone_order", Part.MILESTONES)
def milestone_order(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    present = [
        (k, snapshot.milestones[k]) for k in config.planning.milestones if k in snapshot.milestones
    ]
    # Each milestone must be strictly after the one before it that is set.
    wrong = [
        (before, after)
        for (before, before_day), (after, after_day) in itertools.pairwise(present)
        if after_day <= before_day
    ]
    message = Text(
        "De mijlpalen liggen in de voorgeschreven volgorde",
        "The milestones are in the prescribed order",
    )
    if not wrong:
        return check(
            True,
            "",
            message,
            Text(f"{len(present)} mijlpalen op volgorde", f"{len(present)} milestones in order"),
        )
    pairs_nl = "; ".join(
        f"{a} ({format_date(snapshot.milestones[a])}) ligt niet na "
        f"{b} ({format_date(snapshot.milestones[b])})"
        for b, a in wrong
    )
    pairs_en = "; ".join(
        f"{a} ({format_date(snapshot.milestones[a], 'en')}) is not after "
        f"{b} ({format_date(snapshot.milestones[b], 'en')})"
        for b, a in wrong
    )
    return check(
        False, "", message, Text(pairs_nl, pairs_en), out_of_order=[[b, a] for b, a in wrong]
    )


def _lead_time(
    snapshot: ProcedureSnapshot, start: str, end: str, minimum: int, what: Text
) -> Verdict:
    message = Text(
        f"Tussen {start} en {end} liggen minstens {minimum} dagen ({what.nl})",
        f"At least {minimum} days between {start} and {end} ({what.en})",
    )
    if start not in snapshot.milestones or end not in snapshot.milestones:
        return not_applicable(
            "",
            message,
            Text(f"{start} of {end} is nog niet vastgelegd", f"{start} or {end} is not set yet"),
        )
    days = (snapshot.milestones[end] - snapshot.milestones[start]).days
    return check(
        days >= minimum,
        "",
        message,
        Text(f"{days} dagen, minimaal {minimum}", f"{days} days, at least {minimum}"),
        days=days,
        minimum=minimum,
    )


@rule("planning.rsvp_lead_time", Part.MILESTONES, deviable=True)
def rsvp_lead_time(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    return _lead_time(
        snapshot,
        "invitations_sent",
        "rsvp_deadline",
        config.planning.min_days_invitations_to_rsvp,
        Text("bedenktijd voor experts", "time for experts to answer"),
    )


@rule("planning.session_lead_time", Part.MILESTONES, deviable=True)
def session_lead_time(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    return _lead_time(
        snapshot,
        "invitations_sent",
        "first_session",
        config.planning.min_days_invitations_to_first_session,
        Text("voorbereidingstijd voor de eerste bijeenkomst", "notice before the first session"),
    )


RULES = [milestones_set, milestone_order, rsvp_lead_time, session_lead_time]

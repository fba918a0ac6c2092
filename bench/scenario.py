"""The data entry a procedure needs in each phase before `advance` may leave it.

Everything goes through the real workflow commands, so the rows `advance` reads are exactly
the ones a real procedure has. None of this is timed: only the `advance` calls are.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from states.i18n import AMSTERDAM, local_date
from states.phases import FORWARD_ORDER, Phase
from workflow.app import App
from workflow.commands import decision, people, planning, procedures, records, sessions
from workflow.testing import FrozenClock

ACTOR = "bench"
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
PERIOD = "2017-2023"
DECISION_REF = "GS-2025-0042"

# Every forward step `advance` takes, preparation -> workgroup up to publication -> closed.
STEPS: tuple[tuple[Phase, Phase], ...] = tuple((a, b) for a, b in itertools.pairwise(FORWARD_ORDER))

MILESTONES: dict[str, date] = {
    # In the prescribed order, with the lead times the planning rules ask for.
    "invitations_sent": date(2025, 2, 3),
    "rsvp_deadline": date(2025, 2, 17),
    "nomination_deadline": date(2025, 3, 3),
    "first_session": date(2025, 3, 17),
    "concept_list": date(2025, 4, 14),
    "archivist_advice": date(2025, 5, 5),
    "proposal_to_body": date(2025, 5, 19),
    "decision": date(2025, 6, 2),
    "inventory_done": date(2025, 9, 1),
    "publication": date(2025, 10, 6),
}

MEMBERS: tuple[tuple[str, str], ...] = (
    ("Petra Procesbegeleider", "procesbegeleider"),
    ("Ivo Informatiebeheerder", "informatiebeheerder"),
    ("Anna Archivaris", "archivaris"),
)

# Three internal and three external experts: 50% external, every required profile covered.
EXPERTS: tuple[tuple[str, str, str], ...] = (
    ("Ilse Intern", "internal", "beleid"),
    ("Bram Bestuur", "internal", "bestuur"),
    ("Iris Informatie", "internal", "informatiebeheer"),
    ("Hanna Historicus", "external", "historicus"),
    ("Jan Journalist", "external", "journalist"),
    ("Mila Maatschappij", "external", "maatschappelijke-organisatie"),
)


def email(name: str, org: int) -> str:
    return f"{name.split()[0].lower()}.{org}@example.org"


def _run_clock_to(app: App, moment: datetime) -> None:
    """The bench's calendar runs on as the real days would; it never runs back."""
    if isinstance(app.clock, FrozenClock) and app.clock() < moment:
        app.clock.set(moment)


def open_procedure(app: App, org: int) -> str:
    """A new procedure in preparation; each organisation is distinct (one open per period)."""
    result = procedures.init_procedure(
        app,
        organisation=f"Bench-organisatie {org}",
        body="Gedeputeerde Staten",
        period=PERIOD,
        actor=ACTOR,
    )
    return str(result["procedure"])


def _workgroup(app: App, pid: str, org: int) -> None:
    for name, role in MEMBERS:
        people.add_member(app, pid, name=name, email=email(name, org), role=role, actor=ACTOR)


def _planning(app: App, pid: str, org: int) -> None:
    # The bench's calendar runs on with every procedure it carries through the sessions, so a
    # procedure opened later gets the same plan moved by as many days: a milestone lies at
    # most a year before its procedure's opening (milestone.before_opening).
    shift = max(timedelta(0), local_date(app.now()) - START.date())
    for key, day in MILESTONES.items():
        planning.set_milestone(app, pid, key, day + shift, actor=ACTOR)


def _expert_selection(app: App, pid: str, org: int) -> None:
    for name, perspective, profile in EXPERTS:
        people.add_expert(
            app,
            pid,
            name=name,
            email=email(name, org),
            perspective=perspective,
            profile=profile,
            actor=ACTOR,
        )
    for name, _, _ in EXPERTS:
        people.respond(app, pid, email(name, org), accept=True, actor=ACTOR)


def _sessions(app: App, pid: str, org: int) -> None:
    # Two sessions with two experts of each perspective: both count as held.
    attendees = [
        [email(EXPERTS[i][0], org) for i in (0, 1, 3, 4)],
        [email(EXPERTS[i][0], org) for i in (1, 2, 4, 5)],
    ]
    # On 17 and 31 March, or in the next weeks for a procedure opened after those days: a
    # session lies after the opening, and its attendance is recorded once it has taken place.
    first = max(
        datetime(2025, 3, 17, 10, 0, tzinfo=AMSTERDAM),
        (app.now() + timedelta(days=1)).astimezone(AMSTERDAM).replace(hour=10, minute=0),
    )
    for n, emails in enumerate(attendees):
        at = first + timedelta(days=14 * n)
        session = sessions.add_session(app, pid, at=at, actor=ACTOR, location="Zwolle")
        _run_clock_to(app, at + timedelta(hours=3))
        sessions.attend(app, pid, session["session"], emails, actor=ACTOR)
    # One candidate from each perspective, so the list is balanced and below the size at
    # which the nomination balance applies.
    for title, nominator in (("Stikstofcrisis", 0), ("Watersnood Vecht", 3)):
        candidate = sessions.add_candidate(
            app,
            pid,
            title=title,
            start=date(2019, 5, 1),
            end=date(2021, 12, 31),
            description=f"{title}: veel maatschappelijke onrust en bestuurlijke gevolgen.",
            nominated_by=email(EXPERTS[nominator][0], org),
            actor=ACTOR,
        )
        sessions.assess(
            app,
            pid,
            candidate["candidate"],
            criteria="1,3",
            motivation="Grote maatschappelijke impact en veel bestuurlijke aandacht.",
            include=True,
            actor=ACTOR,
        )


def _decision(app: App, pid: str, org: int) -> None:
    # Dated the day it is taken: on 2 June, or today once the calendar has passed it.
    _run_clock_to(app, datetime(2025, 6, 2, 10, 0, tzinfo=AMSTERDAM))
    decision.record_advice(app, pid, positive=True, by="Anna Archivaris", actor=ACTOR)
    decision.record_decision(
        app, pid, adopted=True, day=local_date(app.now()), ref=DECISION_REF, actor=ACTOR
    )


def _inventory(app: App, pid: str, org: int) -> None:
    for hotspot in ("2019-1", "2019-2"):
        records.add_system(
            app,
            pid,
            hotspot,
            system="Corsa",
            query="zaaktype bestuurlijke besluitvorming",
            owner="DIV",
            actor=ACTOR,
        )
        records.mark_dossier(
            app, pid, hotspot, system="Corsa", dossier=f"Z-{org}-{hotspot}", actor=ACTOR
        )


def _publication(app: App, pid: str, org: int) -> None:
    # In force on 6 October, or on a later day of the decision.
    day = max(date(2025, 10, 6), local_date(app.now()))
    records.publish(app, pid, channel="Provinciaal Blad", ref=f"PB-{org}", day=day, actor=ACTOR)


def _nothing(app: App, pid: str, org: int) -> None:
    return None


# What must be entered while the procedure is in a phase for its exit rules to pass.
ENTRY: dict[Phase, Callable[[App, str, int], None]] = {
    Phase.PREPARATION: _nothing,
    Phase.WORKGROUP: _workgroup,
    Phase.PLANNING: _planning,
    Phase.EXPERT_SELECTION: _expert_selection,
    Phase.SESSIONS: _sessions,
    Phase.DECISION: _decision,
    Phase.INVENTORY: _inventory,
    Phase.PUBLICATION: _publication,
}


def fill(app: App, pid: str, org: int, phase: Phase) -> None:
    ENTRY[phase](app, pid, org)

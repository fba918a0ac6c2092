"""The data entry a procedure needs in each phase before `advance` may leave it.

The package's scenario builder (workflow.scenario) with the bench's data: everything goes
through the real workflow commands, so the rows `advance` reads are exactly
the ones a real procedure has. None of this is timed: only the `advance` calls are.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from states.phases import FORWARD_ORDER, Phase
from workflow import scenario
from workflow.app import App
from workflow.scenario import Candidate, Expert, Member, Publication, Search, SessionPlan

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


def for_organisation(org: int) -> scenario.Scenario:
    """The package's scenario builder with the bench's data for organisation number `org`."""
    return scenario.Scenario(
        actor=ACTOR,
        # Each organisation is distinct: one open procedure per organisation and period.
        organisation=f"Bench-organisatie {org}",
        body="Gedeputeerde Staten",
        period=PERIOD,
        members=tuple(Member(name, email(name, org), role) for name, role in MEMBERS),
        milestones=MILESTONES,
        # The bench's calendar runs on with every procedure it carries through the sessions,
        # so a procedure opened later gets the same plan moved by as many days.
        milestones_from=START.date(),
        experts=tuple(Expert(n, email(n, org), side, p) for n, side, p in EXPERTS),
        # Two sessions with two experts of each perspective: both count as held.
        sessions=tuple(
            SessionPlan(
                datetime(2025, 3, 17, 10, 0) + timedelta(days=14 * n),
                "Zwolle",
                tuple(email(EXPERTS[i][0], org) for i in present),
            )
            for n, present in enumerate(((0, 1, 3, 4), (1, 2, 4, 5)))
        ),
        # One candidate from each perspective, so the list is balanced and below the size at
        # which the nomination balance applies.
        candidates=tuple(
            Candidate(
                title,
                date(2019, 5, 1),
                date(2021, 12, 31),
                f"{title}: veel maatschappelijke onrust en bestuurlijke gevolgen.",
                email(EXPERTS[nominator][0], org),
                criteria="1,3",
                motivation="Grote maatschappelijke impact en veel bestuurlijke aandacht.",
            )
            for title, nominator in (("Stikstofcrisis", 0), ("Watersnood Vecht", 3))
        ),
        advice_by="Anna Archivaris",
        advice_actor=ACTOR,
        decision_at=datetime(2025, 6, 2, 10, 0),
        decision_ref=DECISION_REF,
        searches=(
            Search(
                hotspot="",
                system="Corsa",
                query="zaaktype bestuurlijke besluitvorming",
                owner="DIV",
                dossiers=(f"Z-{org}-{{number}}",),
            ),
        ),
        publication=Publication("Provinciaal Blad", f"PB-{org}", date(2025, 10, 6)),
    )


def open_procedure(app: App, org: int) -> str:
    """A new procedure in preparation for organisation number `org`."""
    return for_organisation(org).open(app)


def fill(app: App, pid: str, org: int, phase: Phase) -> None:
    """What must be entered while the procedure is in `phase` for its exit rules to pass."""
    for_organisation(org).fill(app, pid, phase)

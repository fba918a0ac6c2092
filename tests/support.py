"""The tests' procedure: the package's scenario builder with the tests' data, and its steps."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from states.config import MILESTONE_ORDER
from states.phases import Phase
from workflow import scenario
from workflow.app import App
from workflow.scenario import Candidate, Expert, Member, Publication, Search, SessionPlan

ACTOR = "test-procesbegeleider"
INTERNAL = [
    ("Ineke Intern", "ineke@provincie.example", "beleid"),
    ("Jan Intern", "jan@provincie.example", "informatiebeheer"),
    ("Karel Intern", "karel@provincie.example", "bestuur"),
]
EXTERNAL = [
    ("Hanna Historica", "hanna@universiteit.example", "historicus"),
    ("Joost Journalist", "joost@krant.example", "journalist"),
    ("Mira Maatschappij", "mira@vereniging.example", "maatschappelijke-organisatie"),
]
FIRST_MILESTONE = date(2025, 2, 3)
MILESTONE_GAPS = (0, 14, 28, 35, 60, 75, 90, 110, 200, 230)
# Both sessions with two experts of each perspective.
PRESENT = tuple(email for _, email, _ in INTERNAL[:2] + EXTERNAL[:2])
CANDIDATES = [
    ("COVID-19-pandemie", "2020-03-01", "2022-12-31", EXTERNAL[0][1]),
    ("Stikstofcrisis en boerenprotesten", "2019-10-01", None, INTERNAL[0][1]),
    ("Terugkeer van de wolf", "2018-01-01", None, EXTERNAL[1][1]),
]

SCENARIO = scenario.Scenario(
    actor=ACTOR,
    organisation="Provincie Overijssel",
    body="Gedeputeerde Staten",
    period="2017-2023",
    members=tuple(
        Member(name, f"{name.lower()}@org.example", role)
        for name, role in (
            ("Sanne", "procesbegeleider"),
            ("Bert", "informatiebeheerder"),
            ("Carla", "archivaris"),
            ("Dirk", "management"),
        )
    ),
    milestones={
        key: FIRST_MILESTONE + timedelta(days=gap)
        for key, gap in zip(MILESTONE_ORDER, MILESTONE_GAPS, strict=True)
    },
    experts=tuple(Expert(n, e, "internal", p) for n, e, p in INTERNAL)
    + tuple(Expert(n, e, "external", p) for n, e, p in EXTERNAL),
    sessions=(
        SessionPlan(datetime(2025, 3, 10, 14, 0), "Zwolle", PRESENT),
        SessionPlan(datetime(2025, 3, 24, 14, 0), "Zwolle", PRESENT),
    ),
    candidates=tuple(
        Candidate(
            title,
            start,
            end,
            f"Besluitvorming rond {title}",
            by,
            criteria="1,2",
            motivation="Veel maatschappelijke onrust",
        )
        for title, start, end, by in CANDIDATES
    ),
    advice_by="Carla (archivaris)",
    advice_actor="carla",
    decision_at=datetime(2025, 5, 13, 10, 0),
    decision_ref="GS/2025/0412",
    searches=(Search(hotspot="", system="Corsa", query="zaaktype hotspot", owner="DIV"),),
    publication=Publication("Provinciaal Blad", "Prb. 2025, 1234", date(2025, 10, 1)),
)

run_clock_to = scenario.run_clock_to


def open_procedure(app: App, org: str = "Provincie Overijssel", period: str = "2017-2023") -> str:
    return SCENARIO.but(organisation=org, period=period).open(app)


def fill_workgroup(app: App, pid: str) -> None:
    SCENARIO.add_members(app, pid)


def plan(app: App, pid: str) -> None:
    SCENARIO.plan(app, pid)


def recruit(app: App, pid: str) -> None:
    SCENARIO.add_experts(app, pid)


def accept_all(app: App, pid: str) -> None:
    SCENARIO.answer(app, pid)


def hold_sessions(app: App, pid: str) -> list[int]:
    return SCENARIO.hold_sessions(app, pid)


def nominate_and_assess(app: App, pid: str) -> list[int]:
    return SCENARIO.nominate_and_assess(app, pid)


def advise_and_adopt(app: App, pid: str) -> None:
    SCENARIO.advise_and_adopt(app, pid)


def inventory_all(app: App, pid: str, hotspots: list[str]) -> None:
    for number in hotspots:
        SCENARIO.search(app, pid, number, SCENARIO.searches[0])


def publish(app: App, pid: str) -> None:
    SCENARIO.publish(app, pid)


def drive_to(app: App, pid: str, target: Phase) -> None:
    """Enter data and advance until the procedure stands in `target`."""
    SCENARIO.drive_to(app, pid, target)


def adopted_numbers(app: App, pid: str) -> list[str]:
    return [number for number, _ in scenario.adopted_hotspots(app, pid)]

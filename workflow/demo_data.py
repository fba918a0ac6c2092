"""The invented people, dates and hotspots the demo walks through (none of it is fact)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from states.config import MILESTONE_LABELS, MILESTONE_ORDER
from states.i18n import AMSTERDAM, Text
from states.snapshot import Perspective

START = datetime(2025, 1, 6, 9, 0, tzinfo=AMSTERDAM)
DEMO_DATABASE = Path("var") / "demo.db"
# Folders only the demo writes to; each run empties the mail folder first.
DEMO_MAIL = Path("var") / "mail" / "demo"
DEMO_DOCUMENTS = Path("var") / "documenten"
DEMO_PUBLIC = Path("var") / "publicatie"

ORGANISATION = "Provincie Overijssel"
BODY = "Gedeputeerde Staten"
PERIOD = "2017-2023"

# Actors as they appear in the audit trail: who did what, not which account ran the demo.
FACILITATOR = "Sanne de Vries (procesbegeleider)"
RECORDS_MANAGER = "Ilse Kuipers (informatiebeheerder)"
ARCHIVIST = "Jeroen Kamphuis (archivaris, Collectie Overijssel)"


class Member(NamedTuple):
    name: str
    email: str
    role: str
    note: str = ""


class ExpertData(NamedTuple):
    name: str
    email: str
    perspective: Perspective
    profile: str
    accepts: bool = True


class SessionPlan(NamedTuple):
    place: str
    day: date
    attendees: tuple[str, ...]


class CandidateData(NamedTuple):
    title: str
    start: date
    end: date | None
    description: str
    nominated_by: str
    criteria: str
    motivation: str
    include: bool = True


class SearchData(NamedTuple):
    hotspot: str
    system: str
    query: str
    owner: str
    dossiers: tuple[str, ...]
    none_reason: str | None = None


# Everyone below is fictional; the addresses use example.nl so no real mailbox is ever named.
MEMBERS_FIRST = (
    Member("Sanne de Vries", "s.devries@procesbegeleiding.example.nl", "procesbegeleider"),
    Member("Ilse Kuipers", "i.kuipers@provincie.example.nl", "informatiebeheerder"),
    Member("Ruben Veldhuis", "r.veldhuis@provincie.example.nl", "strategisch-informatieadviseur"),
    Member("Fatima Ouali", "f.ouali@provincie.example.nl", "communicatieadviseur"),
)
MEMBERS_LATER = (
    Member(
        "Jeroen Kamphuis", "j.kamphuis@collectie.example.nl", "archivaris", "Collectie Overijssel"
    ),
    Member("Henk Scholten", "h.scholten@provincie.example.nl", "management", "secretaris GS"),
)

INTERNAL, EXTERNAL = Perspective.INTERNAL, Perspective.EXTERNAL
# The first panel leans on the government side: 2 of 7 external, two required profiles missing.
FIRST_PANEL = (
    ExpertData("Eva Smit", "e.smit@provincie.example.nl", INTERNAL, "beleid"),
    ExpertData("Thomas Hendriks", "t.hendriks@provincie.example.nl", INTERNAL, "informatiebeheer"),
    ExpertData("Lotte Mulder", "l.mulder@provincie.example.nl", INTERNAL, "bestuur"),
    ExpertData("Daan Visser", "d.visser@provincie.example.nl", INTERNAL, "communicatie"),
    ExpertData("Mirjam de Boer", "m.deboer@provincie.example.nl", INTERNAL, "beleid"),
    ExpertData("Anna Brouwer", "a.brouwer@universiteit.example.nl", EXTERNAL, "historicus"),
    ExpertData(
        "Kees Dijkstra", "k.dijkstra@erfgoedhuis.example.nl", EXTERNAL, "erfgoedorganisatie"
    ),
)
SECOND_ROUND = (
    ExpertData("Noor Jansen", "n.jansen@dagblad.example.nl", EXTERNAL, "journalist"),
    ExpertData(
        "Willem Post",
        "w.post@dorpsraad.example.nl",
        EXTERNAL,
        "maatschappelijke-organisatie",
        accepts=False,
    ),
    ExpertData("Bram Meijer", "b.meijer@historischekring.example.nl", EXTERNAL, "historicus"),
)
REPLACEMENT = ExpertData(
    "Femke de Wit", "f.dewit@bewonersplatform.example.nl", EXTERNAL, "maatschappelijke-organisatie"
)

SESSION_ONE = SessionPlan(
    "Zwolle, provinciehuis",
    date(2025, 3, 20),
    (
        "e.smit",
        "t.hendriks",
        "l.mulder",
        "d.visser",
        "a.brouwer",
        "k.dijkstra",
        "n.jansen",
        "f.dewit",
    ),
)
# Two external experts send regrets: 4 internal of 6 present is more than 65%.
SESSION_TWO = SessionPlan(
    "Deventer",
    date(2025, 4, 3),
    ("e.smit", "l.mulder", "d.visser", "m.deboer", "b.meijer", "f.dewit"),
)

# Names from the domain brief; descriptions stay neutral and general: no invented facts.
CANDIDATES = (
    CandidateData(
        "COVID-19-pandemie",
        date(2020, 3, 1),
        date(2022, 12, 31),
        "Besluitvorming en maatschappelijke reacties rond de COVID-19-pandemie.",
        "e.smit",
        "1,2",
        "Raakte vrijwel alle inwoners en kreeg veel media-aandacht (1); de maatregelen "
        "leidden tot een emotioneel debat (2).",
    ),
    CandidateData(
        "Stikstofcrisis en boerenprotesten",
        date(2019, 10, 1),
        None,
        "Besluitvorming en maatschappelijke reacties rond het stikstofbeleid en de protesten "
        "van boeren.",
        "f.dewit",
        "1,2",
        "Veel maatschappelijke onrust en media-aandacht (1); principiële tegenstellingen "
        "tussen groepen inwoners (2).",
    ),
    CandidateData(
        "Terugkeer van de wolf",
        date(2018, 1, 1),
        date(2018, 12, 31),
        "Besluitvorming en maatschappelijke reacties rond de terugkeer van de wolf.",
        "a.brouwer",
        "2",
        "Emotioneel debat tussen voor- en tegenstanders onder inwoners (2).",
    ),
    CandidateData(
        "Laagvliegroutes Lelystad Airport boven Salland",
        date(2018, 1, 1),
        date(2019, 12, 31),
        "Besluitvorming en maatschappelijke reacties rond de laagvliegroutes van Lelystad "
        "Airport boven Salland.",
        "n.jansen",
        "1",
        "Onrust bij inwoners van het gebied en veel media-aandacht (1).",
    ),
    CandidateData(
        "Opvang van asielzoekers",
        date(2022, 1, 1),
        date(2023, 12, 31),
        "Besluitvorming en maatschappelijke reacties rond de opvang van asielzoekers.",
        "l.mulder",
        "1,2",
        "Grote betekenis voor inwoners en veel media-aandacht (1); emotioneel debat (2).",
    ),
    # An internal project the panel weighs and leaves off: shows an exclusion with its reason.
    CandidateData(
        "Voorbereiding op de Omgevingswet",
        date(2017, 1, 1),
        date(2023, 12, 31),
        "Besluitvorming rond de voorbereiding van de provinciale organisatie op de Omgevingswet.",
        "t.hendriks",
        "",
        "Vooral een interne verandering; het panel ziet geen onrust, principieel debat of "
        "politieke crisis zoals de criteria bedoelen.",
        include=False,
    ),
)

SEARCHES = (
    SearchData(
        "COVID-19-pandemie",
        "Corsa (DMS)",
        "zaaktype crisisbeheersing; trefwoorden COVID-19, corona; 2020-2022",
        "Team Informatiebeheer",
        ("Z2020-01234", "Z2021-00871"),
    ),
    SearchData(
        "COVID-19-pandemie",
        "Teams",
        "team 'Crisisoverleg COVID-19' en gekoppelde kanalen",
        "Team ICT-beheer",
        ("TEAMS-2020-0042",),
    ),
    SearchData(
        "Stikstofcrisis en boerenprotesten",
        "Corsa (DMS)",
        "trefwoorden stikstof, PAS, boerenprotest; vanaf oktober 2019",
        "Team Informatiebeheer",
        ("Z2019-04410", "Z2022-01187"),
    ),
    SearchData(
        "Stikstofcrisis en boerenprotesten",
        "iBabs (bestuursinformatie)",
        "agendapunten van GS en PS over stikstof",
        "Statengriffie",
        ("IB-2019-0917",),
    ),
    SearchData(
        "Terugkeer van de wolf",
        "Corsa (DMS)",
        "trefwoorden wolf, faunaschade; 2018",
        "Team Informatiebeheer",
        ("Z2018-03301",),
    ),
    SearchData(
        "Laagvliegroutes Lelystad Airport boven Salland",
        "Corsa (DMS)",
        "trefwoorden Lelystad Airport, laagvliegroutes; 2018-2019",
        "Team Informatiebeheer",
        ("Z2018-02290",),
    ),
    SearchData(
        "Laagvliegroutes Lelystad Airport boven Salland",
        "Exchange (e-mail)",
        "postvakken bestuursondersteuning; trefwoord Lelystad; 2018-2019",
        "Team ICT-beheer",
        (),
        "Geen berichten gevonden die niet al in zaak Z2018-02290 zijn opgenomen.",
    ),
    SearchData(
        "Opvang van asielzoekers",
        "Corsa (DMS)",
        "trefwoorden asielzoekers, opvanglocatie; 2022-2023",
        "Team Informatiebeheer",
        ("Z2022-05532",),
    ),
    SearchData(
        "Opvang van asielzoekers",
        "iBabs (bestuursinformatie)",
        "agendapunten van GS en PS over opvang van asielzoekers",
        "Statengriffie",
        ("IB-2022-1104",),
    ),
)

# The demo's planning: realistic lead times in 2025, in the configured order.
MILESTONES: dict[str, tuple[date, Text]] = {
    key: (day, MILESTONE_LABELS[key])
    for key, day in zip(
        MILESTONE_ORDER,
        (
            date(2025, 2, 3),
            date(2025, 2, 21),
            date(2025, 3, 14),
            date(2025, 3, 20),
            date(2025, 4, 25),
            date(2025, 5, 21),
            date(2025, 6, 3),
            date(2025, 6, 24),
            date(2025, 9, 26),
            date(2025, 10, 14),
        ),
        strict=True,
    )
}
assert tuple(MILESTONES) == MILESTONE_ORDER, "the demo planning must follow the configured order"

DECISION_REF = "GS/2025/0412"

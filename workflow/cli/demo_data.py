"""The invented people, dates and hotspots the demo walks through (none of it is fact)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from states.config import MILESTONE_LABELS, MILESTONE_ORDER
from states.i18n import AMSTERDAM, Text
from states.snapshot import Perspective
from workflow.scenario import Candidate, Expert, Member, Publication, Scenario, Search

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


class SessionDay(NamedTuple):
    """A session as the demo plans it: 14.00 uur on its day, attendees by mailbox name."""

    place: str
    day: date
    attendees: tuple[str, ...]


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
    Expert("Eva Smit", "e.smit@provincie.example.nl", INTERNAL, "beleid"),
    Expert("Thomas Hendriks", "t.hendriks@provincie.example.nl", INTERNAL, "informatiebeheer"),
    Expert("Lotte Mulder", "l.mulder@provincie.example.nl", INTERNAL, "bestuur"),
    Expert("Daan Visser", "d.visser@provincie.example.nl", INTERNAL, "communicatie"),
    Expert("Mirjam de Boer", "m.deboer@provincie.example.nl", INTERNAL, "beleid"),
    Expert("Anna Brouwer", "a.brouwer@universiteit.example.nl", EXTERNAL, "historicus"),
    Expert("Kees Dijkstra", "k.dijkstra@erfgoedhuis.example.nl", EXTERNAL, "erfgoedorganisatie"),
)
SECOND_ROUND = (
    Expert("Noor Jansen", "n.jansen@dagblad.example.nl", EXTERNAL, "journalist"),
    Expert(
        "Willem Post",
        "w.post@dorpsraad.example.nl",
        EXTERNAL,
        "maatschappelijke-organisatie",
        accepts=False,
    ),
    Expert("Bram Meijer", "b.meijer@historischekring.example.nl", EXTERNAL, "historicus"),
)
REPLACEMENT = Expert(
    "Femke de Wit", "f.dewit@bewonersplatform.example.nl", EXTERNAL, "maatschappelijke-organisatie"
)

SESSION_ONE = SessionDay(
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
SESSION_TWO = SessionDay(
    "Deventer",
    date(2025, 4, 3),
    ("e.smit", "l.mulder", "d.visser", "m.deboer", "b.meijer", "f.dewit"),
)

# Names from the domain brief; descriptions stay neutral and general: no invented facts.
CANDIDATES = (
    Candidate(
        "COVID-19-pandemie",
        date(2020, 3, 1),
        date(2022, 12, 31),
        "Besluitvorming en maatschappelijke reacties rond de COVID-19-pandemie.",
        "e.smit",
        "1,2",
        "Raakte vrijwel alle inwoners en kreeg veel media-aandacht (1); de maatregelen "
        "leidden tot een emotioneel debat (2).",
    ),
    Candidate(
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
    Candidate(
        "Terugkeer van de wolf",
        date(2018, 1, 1),
        date(2018, 12, 31),
        "Besluitvorming en maatschappelijke reacties rond de terugkeer van de wolf.",
        "a.brouwer",
        "2",
        "Emotioneel debat tussen voor- en tegenstanders onder inwoners (2).",
    ),
    Candidate(
        "Laagvliegroutes Lelystad Airport boven Salland",
        date(2018, 1, 1),
        date(2019, 12, 31),
        "Besluitvorming en maatschappelijke reacties rond de laagvliegroutes van Lelystad "
        "Airport boven Salland.",
        "n.jansen",
        "1",
        "Onrust bij inwoners van het gebied en veel media-aandacht (1).",
    ),
    Candidate(
        "Opvang van asielzoekers",
        date(2022, 1, 1),
        date(2023, 12, 31),
        "Besluitvorming en maatschappelijke reacties rond de opvang van asielzoekers.",
        "l.mulder",
        "1,2",
        "Grote betekenis voor inwoners en veel media-aandacht (1); emotioneel debat (2).",
    ),
    # An internal project the panel weighs and leaves off: shows an exclusion with its reason.
    Candidate(
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
    Search(
        "COVID-19-pandemie",
        "Corsa (DMS)",
        "zaaktype crisisbeheersing; trefwoorden COVID-19, corona; 2020-2022",
        "Team Informatiebeheer",
        ("Z2020-01234", "Z2021-00871"),
    ),
    Search(
        "COVID-19-pandemie",
        "Teams",
        "team 'Crisisoverleg COVID-19' en gekoppelde kanalen",
        "Team ICT-beheer",
        ("TEAMS-2020-0042",),
    ),
    Search(
        "Stikstofcrisis en boerenprotesten",
        "Corsa (DMS)",
        "trefwoorden stikstof, PAS, boerenprotest; vanaf oktober 2019",
        "Team Informatiebeheer",
        ("Z2019-04410", "Z2022-01187"),
    ),
    Search(
        "Stikstofcrisis en boerenprotesten",
        "iBabs (bestuursinformatie)",
        "agendapunten van GS en PS over stikstof",
        "Statengriffie",
        ("IB-2019-0917",),
    ),
    Search(
        "Terugkeer van de wolf",
        "Corsa (DMS)",
        "trefwoorden wolf, faunaschade; 2018",
        "Team Informatiebeheer",
        ("Z2018-03301",),
    ),
    Search(
        "Laagvliegroutes Lelystad Airport boven Salland",
        "Corsa (DMS)",
        "trefwoorden Lelystad Airport, laagvliegroutes; 2018-2019",
        "Team Informatiebeheer",
        ("Z2018-02290",),
    ),
    Search(
        "Laagvliegroutes Lelystad Airport boven Salland",
        "Exchange (e-mail)",
        "postvakken bestuursondersteuning; trefwoord Lelystad; 2018-2019",
        "Team ICT-beheer",
        (),
        "Geen berichten gevonden die niet al in zaak Z2018-02290 zijn opgenomen.",
    ),
    Search(
        "Opvang van asielzoekers",
        "Corsa (DMS)",
        "trefwoorden asielzoekers, opvanglocatie; 2022-2023",
        "Team Informatiebeheer",
        ("Z2022-05532",),
    ),
    Search(
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

# The demo's procedure as the package's scenario builder holds it: the demo narrates each step
# and shows refusals on the way, but enters its data through the same steps as the tests.
DEMO = Scenario(
    actor=FACILITATOR,
    organisation=ORGANISATION,
    body=BODY,
    period=PERIOD,
    members=MEMBERS_FIRST + MEMBERS_LATER,
    milestones={key: day for key, (day, _) in MILESTONES.items()},
    experts=FIRST_PANEL + SECOND_ROUND + (REPLACEMENT,),
    sessions=(),
    candidates=CANDIDATES,
    advice_by="Jeroen Kamphuis, Collectie Overijssel",
    advice_actor=ARCHIVIST,
    decision_at=datetime(2025, 6, 24, 15, 0, tzinfo=AMSTERDAM),
    decision_ref=DECISION_REF,
    searches=SEARCHES,
    publication=Publication("Provinciaal Blad", "Prb. 2025, 1234", date(2025, 10, 15), 6),
)

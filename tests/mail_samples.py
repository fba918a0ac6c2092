"""Complete template contexts for every mail kind, for rendering tests and previews."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from notifications.kinds import MailKind
from states.i18n import Language

RESPONSE_LINK = "https://hotspot.example/reactie/3f9c2a7e-personal-token"
PORTAL_LINK = "https://hotspot.example/voordragen/17"
DECISION_REF = "GS-2026/0312"

# 13:00 UTC and 18:30 UTC are 14:00 and 19:30 in Amsterdam (winter time, UTC+1).
FIRST_SESSION = datetime(2026, 3, 12, 13, 0, tzinfo=UTC)
SECOND_SESSION = datetime(2026, 3, 26, 18, 30, tzinfo=UTC)

_CRITERIA: dict[Language, list[str]] = {
    "nl": [
        "Veel maatschappelijke onrust, bijzondere betekenis voor inwoners en/of veel "
        "media-aandacht.",
        "Principiële tegenstellingen tussen burgers of een emotioneel debat.",
        "Een intensief publiek debat over het functioneren van de overheid zelf.",
        "Een politieke kwestie die de positie van het bestuur ernstig bedreigde of juist "
        "onderstreepte.",
    ],
    "en": [
        "Much public unrest, special significance for residents and/or much media attention.",
        "Principled oppositions between citizens, or an emotional debate.",
        "Intense public debate about how the body itself functions.",
        "A political issue that seriously threatened, or underlined, the body's position.",
    ],
}

_LABELS: dict[Language, dict[str, str]] = {
    "nl": {
        "internal": "intern",
        "external": "extern",
        "sessions": "expertbijeenkomsten",
        "decision": "bestuurlijke besluitvorming",
        "balance_panel": "Samenstelling expertpanel",
        "balance_sessions": "Evenwicht in de bijeenkomsten",
        "milestone": "Conceptlijst gereed",
    },
    "en": {
        "internal": "internal",
        "external": "external",
        "sessions": "expert sessions",
        "decision": "decision by the governing body",
        "balance_panel": "Composition of the expert panel",
        "balance_sessions": "Balance in the sessions",
        "milestone": "Concept list ready",
    },
}


def sample_entries(lang: Language = "nl") -> list[dict[str, Any]]:
    """Two hotspot-list entries: one with a closed period, one still open."""
    labels = _LABELS[lang]
    return [
        {
            "number": "2020-1",
            "title": "COVID-19-pandemie",
            "period_start": date(2020, 3, 1),
            "period_end": date(2022, 12, 31),
            "description": "De pandemie en de maatregelen in de provincie.",
            "criteria": [1, 3],
            "motivation": "Veel onrust en media-aandacht; debat over het eigen optreden.",
            "perspective_label": labels["external"],
        },
        {
            "number": "2020-2",
            "title": "Stikstofcrisis en boerenprotesten",
            "period_start": date(2019, 10, 1),
            "period_end": None,
            "description": "Protesten tegen het stikstofbeleid bij het provinciehuis.",
            "criteria": [1, 2, 4],
            "motivation": "Principiële tegenstellingen en een emotioneel debat.",
            "perspective_label": labels["internal"],
        },
    ]


def sample_common(lang: Language = "nl") -> dict[str, Any]:
    """The keys every mail context has."""
    return {
        "lang": lang,
        "recipient": {"name": "Hanna Historica", "email": "hanna@universiteit.example"},
        "procedure": {
            "id": 17,
            "organisation": "Provincie Overijssel",
            "governing_body": "Gedeputeerde Staten",
            "period_start": 2017,
            "period_end": 2023,
            "phase_label": _LABELS[lang]["sessions"],
        },
        "facilitator": {"name": "Sanne de Vries", "email": "s.devries@overijssel.example"},
    }


def sample_context(kind: MailKind, lang: Language = "nl") -> dict[str, Any]:
    """A complete context for `kind`: the common keys plus every key the kind lists."""
    labels = _LABELS[lang]
    session = {
        "id": 5,
        "at": FIRST_SESSION,
        "location": "Provinciehuis Zwolle, zaal 2.14",
        "sequence": 0,
    }
    sessions = [
        {"at": FIRST_SESSION, "location": "Provinciehuis Zwolle, zaal 2.14"},
        {"at": SECOND_SESSION, "location": None},
    ]
    balance = [
        {
            "label": labels["balance_panel"],
            "message": "4 interne en 4 externe experts",
            "ok": True,
            "deviated": False,
        },
        {
            "label": labels["balance_sessions"],
            "message": "Bijeenkomst 2: externe experts in de minderheid",
            "ok": False,
            "deviated": True,
        },
    ]
    deviations = [
        {
            "rule": "sessions.balance",
            "label": labels["balance_sessions"],
            "reason": "Twee externe experts waren ziek; hun inbreng is schriftelijk ontvangen.",
            "actor": "Sanne de Vries",
            "at": datetime(2026, 3, 27, 9, 15, tzinfo=UTC),
        }
    ]
    decision = {"ref": DECISION_REF, "date": date(2026, 5, 19)}
    specific: dict[MailKind, dict[str, Any]] = {
        MailKind.EXPERT_INVITATION: {
            "expert": {
                "name": "Hanna Historica",
                "perspective_label": labels["external"],
                "profile": "historicus",
            },
            "intro": "",
            "rsvp_deadline": date(2026, 3, 12),
            "first_session": SECOND_SESSION,
            "response_link": RESPONSE_LINK,
        },
        MailKind.EXPERT_RESPONSE: {
            "accepted": True,
            "nomination_deadline": date(2026, 3, 5),
            "sessions": sessions,
        },
        MailKind.SESSION_INVITATION: {"session": session},
        MailKind.SESSION_UPDATE: {
            "session": {**session, "at": SECOND_SESSION, "sequence": 1},
            "previous_at": FIRST_SESSION,
        },
        MailKind.SESSION_CANCELLED: {
            "session": {**session, "sequence": 2},
            "reason": "Te weinig experts konden aanwezig zijn.",
        },
        MailKind.CALL_FOR_NOMINATIONS: {
            "nomination_deadline": date(2026, 3, 5),
            "sessions": sessions,
            "portal_link": PORTAL_LINK,
            "criteria": _CRITERIA[lang],
        },
        MailKind.LIST_ADOPTED: {"entries": sample_entries(lang), "decision": decision},
        MailKind.ADVICE_REQUEST: {
            "list_version": 2,
            "entries": sample_entries(lang),
            "balance": balance,
            "deviations": deviations,
            "empty_list_reason": None,
            "advice_deadline": date(2026, 4, 17),
            "advice_link": "https://hotspots.example/advies/voorbeeld-link",
        },
        MailKind.PROPOSAL: {
            "list_version": 2,
            "entries": sample_entries(lang),
            "balance": balance,
            "deviations": deviations,
            "advice": {
                "by": "Collectie Overijssel",
                "reason": "De lijst is evenwichtig tot stand gekomen.",
                "at": datetime(2026, 4, 15, 10, 0, tzinfo=UTC),
            },
            "decision_deadline": date(2026, 5, 19),
            "decision_link": "https://hotspots.example/besluit/voorbeeld-link",
        },
        MailKind.MILESTONE_OVERDUE: {
            "milestone": {
                "key": "concept_list",
                "label": labels["milestone"],
                "due": date(2026, 4, 1),
            },
            "days_overdue": 9,
            "working_days_overdue": 7,
        },
        MailKind.REMINDER_RSVP: {
            "expert": {"name": "Hanna Historica"},
            "rsvp_deadline": date(2026, 3, 12),
            "days_left": 3,
        },
        MailKind.REMINDER_NOMINATION: {
            "nomination_deadline": date(2026, 3, 5),
            "days_left": 4,
            "criteria": _CRITERIA[lang],
            "sessions": sessions,
        },
        MailKind.REMINDER_SESSION: {"session": session, "days_left": 2},
        MailKind.REMINDER_MILESTONE: {
            "milestone": {
                "key": "concept_list",
                "label": labels["milestone"],
                "due": date(2026, 4, 1),
            },
            "working_days_left": 5,
        },
        MailKind.REMINDER_ADVICE: {
            "advice_deadline": date(2026, 4, 17),
            "days_left": 6,
            "list_version": 2,
        },
        MailKind.REMINDER_DECISION: {
            "decision_deadline": date(2026, 5, 19),
            "days_left": 7,
            "list_version": 2,
        },
        MailKind.REMINDER_INVENTORY: {
            "system": {
                "name": "Zaaksysteem Corsa",
                "query": "zaaktype 'Crisisbeheersing', trefwoord 'COVID-19'",
                "owner": "Informatiebeheer, Sven Bakker",
            },
            "hotspot": {"number": "2020-1", "title": "COVID-19-pandemie"},
            "inventory_deadline": date(2026, 9, 30),
            "weeks_open": 3,
        },
        MailKind.PUBLICATION: {
            "publication": {
                "channel": "Provinciaal Blad",
                "reference": "2026/1234",
                "in_force": date(2026, 6, 1),
                "objection_weeks": 6,
            },
            "entries": sample_entries(lang),
            "decision": decision,
        },
        MailKind.MAIL_FAILURES: {
            "failures": [
                {
                    "kind_label": "uitnodiging expert" if lang == "nl" else "expert invitation",
                    "recipient": "Jürgen Jansen <jurgen@example.org>",
                    "subject": "Uitnodiging: deelname als expert",
                    "error": "550 5.1.1 Mailbox unavailable",
                }
            ],
            "problem": {
                "code": "starttls",
                "label": "STARTTLS",
                "detail": "SMTP STARTTLS extension not supported by server.",
                "since": datetime(2026, 3, 2, 8, 15, tzinfo=UTC),
            },
            "mail_page": "https://hotspot.example/procedures/overijssel-2017-2023#mail",
            "retry_command": "hotspot mail retry --procedure overijssel-2017-2023",
        },
        MailKind.PHASE_CHANGED: {
            "from_label": labels["sessions"],
            "to_label": labels["decision"],
            "actor": "Sanne de Vries",
            "reason": None,
            "cancelled": False,
            "returned": False,
        },
        MailKind.CASES_NOT_KEPT: {
            "cases": [
                {
                    "hotspot": "2019-1",
                    "case": "ZAAK-2020-0000000001",
                    "url": "https://zaken.example/zaken/api/v1/zaken/5f1c",
                    "system": "Open Zaak",
                    "check_label": "afgeweken, niet hersteld" if lang == "nl" else "drifted",
                    "drifted": "archiefnominatie, archiefactiedatum",
                    "status": 403,
                    "error": "",
                }
            ],
            "cases_page": "https://hotspot.example/procedures/overijssel-2017-2023#zaken",
            "check_command": "hotspot inventory check overijssel-2017-2023",
        },
        MailKind.WORKGROUP_NOTICE: {
            "subject": "Verzetten tweede bijeenkomst",
            "text": "De tweede bijeenkomst schuift een week op.",
            "actor": "Sanne de Vries",
        },
    }
    return {**sample_common(lang), **specific[kind]}

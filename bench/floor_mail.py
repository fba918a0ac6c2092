"""The mails one `advance` causes, rendered from memory for the floor (no reads).

The floor renders the same templates for the same recipients as the real step and writes the
same outbox rows: rendering is work any implementation must do, reading the workgroup and the
experts back from the database is what the real step adds.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import scenario

from notifications.kinds import MailKind
from notifications.outbox import OutgoingMail, Recipient
from notifications.render import render_mail
from states.phases import Phase
from states.snapshot import Perspective
from states.vocabulary import CRITERIA, PERSPECTIVE_LABELS

ORGANISATION = "Bench-organisatie {org}"

# A signed personal link's token is about this long (purpose, procedure, person, nonce, expiry).
LINK_TOKEN = 120


def _common(pid: str, org: int, name: str, address: str, phase: Phase) -> dict[str, Any]:
    facilitator = scenario.MEMBERS[0][0]
    return {
        "lang": "nl",
        "recipient": {"name": name, "email": address},
        "procedure": {
            "id": pid,
            "organisation": ORGANISATION.format(org=org),
            "governing_body": "Gedeputeerde Staten",
            "period_start": 2017,
            "period_end": 2023,
            "phase_label": phase.label("nl"),
        },
        "facilitator": {"name": facilitator, "email": scenario.email(facilitator, org)},
    }


def _entries(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **e,
            "period_start": date.fromisoformat(e["period_start"]),
            "period_end": date.fromisoformat(e["period_end"]),
            "perspective_label": PERSPECTIVE_LABELS[Perspective(e["nominated_by_perspective"])](
                "nl"
            ),
        }
        for e in raw
    ]


BALANCE = [
    {"label": label, "message": message, "ok": True, "deviated": False}
    for label, message in (
        ("Omvang van het expertpanel", "6 experts toegezegd (6 tot 16)"),
        ("Verhouding intern en extern", "3 van 6 experts extern (50%), 40% tot 60%"),
        ("Profielen van de externe experts", "alle vereiste profielen aanwezig"),
        ("Evenwichtig bezette bijeenkomsten", "2 bijeenkomsten tellen mee, minimaal 2"),
        ("Herkomst van de voordrachten", "1 van 2 intern (50%), maximaal 75%"),
    )
]


def mails_for_step(
    pid: str, org: int, source: Phase, target: Phase, entries: list[dict[str, Any]]
) -> list[OutgoingMail]:
    """The phase-change notices, and the call for nominations or the advice request."""
    mails: list[OutgoingMail] = []
    # The scenario names its workgroup once the procedure is in the workgroup phase.
    workgroup = scenario.MEMBERS if source is not Phase.PREPARATION else ()
    for name, _ in workgroup:
        address = scenario.email(name, org)
        context = {
            **_common(pid, org, name, address, target),
            "from_label": source.label("nl"),
            "to_label": target.label("nl"),
            "actor": scenario.ACTOR,
            "reason": None,
            "cancelled": False,
            "returned": False,
        }
        mails.append(_mail(MailKind.PHASE_CHANGED, name, address, context))
    if target is Phase.SESSIONS:
        # The scenario plans its sessions once in this phase, so the call lists none yet.
        sessions: list[dict[str, Any]] = []
        for name, _, _ in scenario.EXPERTS:
            address = scenario.email(name, org)
            context = {
                **_common(pid, org, name, address, target),
                "nomination_deadline": scenario.MILESTONES["nomination_deadline"],
                "sessions": sessions,
                "portal_link": f"http://127.0.0.1:8000/expert/{'x' * LINK_TOKEN}",
                "criteria": [text("nl") for text in CRITERIA.values()],
            }
            mails.append(_mail(MailKind.CALL_FOR_NOMINATIONS, name, address, context))
    if target is Phase.DECISION:
        name = scenario.MEMBERS[2][0]
        address = scenario.email(name, org)
        context = {
            **_common(pid, org, name, address, target),
            "list_version": 1,
            "entries": _entries(entries),
            "balance": BALANCE,
            "deviations": [],
            "empty_list_reason": None,
            "advice_deadline": scenario.MILESTONES["archivist_advice"],
            "advice_link": f"http://127.0.0.1:8000/advies/{'x' * LINK_TOKEN}",
        }
        mails.append(_mail(MailKind.ADVICE_REQUEST, name, address, context))
    return mails


def _mail(kind: MailKind, name: str, address: str, context: dict[str, Any]) -> OutgoingMail:
    return OutgoingMail(kind, Recipient(name, address, "nl"), render_mail(kind, "nl", context))

"""Who receives a step's mail: the workgroup by role, the accepted experts, personal links."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import BindParameter, bindparam, select, update

from notifications.outbox import Recipient
from states.i18n import parse_language
from states.snapshot import Response
from workflow.db import models as m
from workflow.db.models import table_of

if TYPE_CHECKING:
    from workflow.commands.base import Change

FACILITATOR_ROLE = "procesbegeleider"
ARCHIVIST_ROLE = "archivaris"
MANAGEMENT_ROLE = "management"


@dataclass(frozen=True, slots=True)
class Addressee:
    """A recipient, and for an expert the id and role the context and personal link need."""

    recipient: Recipient
    expert_id: int | None = None
    perspective: str = ""
    profile: str = ""


MT, ET, OT = table_of(m.Member), table_of(m.Expert), table_of(m.Organisation)
PID: BindParameter[str] = bindparam("pid")
# Prepared once: a phase change runs these inside every `advance`.
_MEMBERS = (
    select(MT.c.name, MT.c.email, MT.c.email_key, MT.c.role, MT.c.language)
    .where(MT.c.procedure_id == PID)
    .order_by(MT.c.id)
)
_ORGANISATION = select(OT.c.name).where(OT.c.id == bindparam("org"))
_ACCEPTED = (
    select(ET.c.id, ET.c.name, ET.c.email, ET.c.language, ET.c.perspective, ET.c.profile)
    .where(ET.c.procedure_id == PID, ET.c.response == Response.ACCEPTED.value)
    .order_by(ET.c.id)
)
_SET_LINK = (
    update(ET).where(ET.c.id == bindparam("b_id")).values(link_token_hash=bindparam("b_hash"))
)


@dataclass(frozen=True, slots=True)
class Workgroup:
    """The workgroup and the letterhead, read once per command however many mails it sends."""

    members: tuple[tuple[Addressee, str, str], ...]  # (addressee, address key, role)
    organisation: str
    facilitator: dict[str, str] | None


def workgroup(change: Change) -> Workgroup:
    cached = change.memo.get("workgroup")
    if isinstance(cached, Workgroup):
        return cached
    run = change.connection.execute
    rows = run(_MEMBERS, {"pid": change.procedure.id}).all()
    members = tuple(
        (Addressee(Recipient(r.name, r.email, parse_language(r.language))), r.email_key, r.role)
        for r in rows
    )
    facilitator = next(
        ({"name": r.name, "email": r.email} for r in rows if r.role == FACILITATOR_ROLE), None
    )
    name = run(_ORGANISATION, {"org": change.procedure.organisation_id}).scalar()
    found = Workgroup(members, name or "", facilitator)
    change.memo["workgroup"] = found
    return found


def members(change: Change, role: str | None = None) -> list[Addressee]:
    """Workgroup members (one message per address, however many roles a person holds)."""
    seen: dict[str, Addressee] = {}
    for person, key, member_role in workgroup(change).members:
        if role is None or member_role == role:
            seen.setdefault(key, person)
    return list(seen.values())


def experts(change: Change) -> list[Addressee]:
    """The experts who accepted, oldest first."""
    rows = change.connection.execute(_ACCEPTED, {"pid": change.procedure.id})
    return [
        Addressee(
            Recipient(r.name, r.email, parse_language(r.language)), r.id, r.perspective, r.profile
        )
        for r in rows
    ]


def expert_addressee(expert: m.Expert) -> Addressee:
    return Addressee(
        Recipient(expert.name, expert.email, parse_language(expert.language)),
        expert.id,
        expert.perspective,
        expert.profile,
    )


def merge(*groups: Iterable[Addressee]) -> list[Addressee]:
    merged: dict[str, Addressee] = {}
    for group in groups:
        for person in group:
            merged.setdefault(person.recipient.email.lower(), person)
    return list(merged.values())


def personal_links(change: Change, people: Iterable[Addressee]) -> dict[int, str]:
    """A fresh personal link per expert; storing its hash replaces (revokes) any earlier one.

    Only the SHA-256 of the secret is kept: the link itself exists in the mail alone.
    """
    links: dict[int, str] = {}
    updates: list[dict[str, Any]] = []
    for person in people:
        if person.expert_id is None:
            continue
        secret = secrets.token_urlsafe(32)
        links[person.expert_id] = f"{change.mail.base_url}/expert/{secret}"
        updates.append(
            {"b_id": person.expert_id, "b_hash": hashlib.sha256(secret.encode()).hexdigest()}
        )
    if updates:
        change.connection.execute(_SET_LINK, updates)
    return links

"""Who receives a step's mail: the workgroup by role, the accepted experts, personal links."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, select

from notifications.outbox import PersonalLink, PersonRef, Recipient
from states.i18n import parse_language
from states.snapshot import Response
from workflow import links
from workflow.change import Change
from workflow.db import models as m
from workflow.db.models import table_of
from workflow.notify.relink import issue_links

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
    # For a workgroup member: the id a personal advice or decision link is bound to.
    member_id: int | None = None

    @property
    def ref(self) -> PersonRef | None:
        """The person in the procedure, kept with each mail (None: someone outside it)."""
        if self.expert_id is not None:
            return PersonRef("expert", self.expert_id)
        if self.member_id is not None:
            return PersonRef("member", self.member_id)
        return None


MT, ET, OT = table_of(m.Member), table_of(m.Expert), table_of(m.Organisation)
PID: BindParameter[str] = bindparam("pid")
# Prepared once: a phase change runs these inside every `advance`.
_MEMBERS = (
    select(
        MT.c.id, MT.c.name, MT.c.email, MT.c.email_key, MT.c.role, MT.c.language, MT.c.salutation
    )
    .where(MT.c.procedure_id == PID)
    .order_by(MT.c.id)
)
_ORGANISATION = select(OT.c.name).where(OT.c.id == bindparam("org"))
_ACCEPTED = (
    select(
        ET.c.id,
        ET.c.name,
        ET.c.email,
        ET.c.language,
        ET.c.perspective,
        ET.c.profile,
        ET.c.salutation,
    )
    .where(ET.c.procedure_id == PID, ET.c.response == Response.ACCEPTED.value)
    .order_by(ET.c.id)
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
        (
            Addressee(
                Recipient(r.name, r.email, parse_language(r.language), r.salutation), member_id=r.id
            ),
            r.email_key,
            r.role,
        )
        for r in rows
    )
    facilitator = _facilitator(rows)
    name = run(_ORGANISATION, {"org": change.procedure.organisation_id}).scalar()
    found = Workgroup(members, name or "", facilitator)
    change.memo["workgroup"] = found
    return found


def _facilitator(rows: Iterable[Any]) -> dict[str, str] | None:
    """The first facilitator of the workgroup: the organiser of the session invitations."""
    return next(
        ({"name": r.name, "email": r.email} for r in rows if r.role == FACILITATOR_ROLE), None
    )


def facilitator(connection: Connection, procedure_id: str) -> dict[str, str] | None:
    """The facilitator, read outside a command (an invitation downloaded from the portal)."""
    return _facilitator(connection.execute(_MEMBERS, {"pid": procedure_id}))


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
            Recipient(r.name, r.email, parse_language(r.language), r.salutation),
            r.id,
            r.perspective,
            r.profile,
        )
        for r in rows
    ]


def expert_addressee(expert: m.Expert) -> Addressee:
    return Addressee(
        Recipient(expert.name, expert.email, parse_language(expert.language), expert.salutation),
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


def personal_links(
    change: Change, people: Iterable[Addressee], purpose: links.Purpose = links.Purpose.EXPERT
) -> dict[int, PersonalLink]:
    """A fresh personal link per expert (or member, for advice and decision), by their id.

    Issuing revokes the person's earlier link for the same purpose; only a hash is stored, and
    the mail's row keeps the link sealed (never in its body).
    """
    member_link = purpose is not links.Purpose.EXPERT
    subjects = [
        subject
        for person in people
        if (subject := person.member_id if member_link else person.expert_id) is not None
    ]
    return issue_links(
        change.connection,
        keys=change.keys,
        mail=change.mail,
        procedure_id=change.procedure.id,
        purpose=purpose,
        subjects=subjects,
        now=change.now,
    )


def link_of(
    found: dict[int, PersonalLink], member: bool = False
) -> Callable[[Addressee], PersonalLink | None]:
    """The link of each addressee, by expert id (or member id), for `context.send`."""

    def of(person: Addressee) -> PersonalLink | None:
        subject = person.member_id if member else person.expert_id
        return found.get(subject) if subject is not None else None

    return of

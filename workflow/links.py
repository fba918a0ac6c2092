"""Personal links: signed, expiring, bound to one person of one procedure, revocable.

A link carries its purpose, procedure, person, a random nonce and its expiry, signed with
the key derived for links from the installation's master keys (workflow.keys; itsdangerous,
HMAC-SHA256: the newest key signs, every key still on the ring verifies). Nothing in the
database is enough to sign one. A forged or altered link fails the signature without a
database read; an expired one fails on its own date; a revoked one is refused because its row
in `access_links` says so, and the row says why: replaced by a newer link, revoked by the
facilitator, its step done (advice or decision recorded), or its procedure ended. Only the
nonce's SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Connection, bindparam, insert, select, update

from states.errors import HotspotError
from states.i18n import Text
from workflow.db import models as m
from workflow.db.models import table_of
from workflow.keys import KeyRing, KeyUse

LT = table_of(m.AccessLink)
_SALT = "hotspot-personal-link"


class Purpose(StrEnum):
    EXPERT = "expert"
    ADVICE = "advice"
    DECISION = "decision"


# The path a link of each purpose opens (Dutch, as people see it in their mail).
LINK_PATHS: dict[Purpose, str] = {
    Purpose.EXPERT: "/expert",
    Purpose.ADVICE: "/advies",
    Purpose.DECISION: "/besluit",
}


class LinkProblem(StrEnum):
    INVALID = "invalid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    # The step the link was for has been recorded (advice, decision): nothing left to do.
    DONE = "done"
    # The procedure was closed or cancelled.
    ENDED = "ended"


class EndReason(StrEnum):
    """Why a link stopped working, as `access_links.revoked_reason` keeps it."""

    REPLACED = "replaced"
    REVOKED = "revoked"
    DONE = "done"
    CLOSED = "closed"
    KEY_RETIRED = "key_retired"


_PROBLEM_OF_REASON = {
    EndReason.DONE.value: LinkProblem.DONE,
    EndReason.CLOSED.value: LinkProblem.ENDED,
}


class LinkRefused(HotspotError):
    """A personal link that cannot be used; the web app shows a page that says why."""

    exit_code = 3
    kind = "link_refused"

    def __init__(self, problem: LinkProblem, message: Text) -> None:
        super().__init__(message)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Grant:
    """What a valid link allows: one purpose, for one person of one procedure."""

    link_id: int
    purpose: Purpose
    procedure_id: str
    subject_id: int
    expires_at: datetime


def link_keys(ring: KeyRing) -> tuple[bytes, ...]:
    """The keys links are signed and checked with, oldest first (the last one signs)."""
    return ring.derive(KeyUse.LINKS)


def _serializer(keys: Sequence[bytes]) -> URLSafeSerializer:
    if not keys:
        raise ValueError("no link keys")
    # itsdangerous signs with the last key of the list and accepts a signature by any.
    return URLSafeSerializer(list(keys), salt=_SALT)


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


_REVOKE = (
    update(LT)
    .where(
        LT.c.procedure_id == bindparam("b_pid"),
        LT.c.purpose == bindparam("b_purpose"),
        LT.c.subject_id.in_(bindparam("b_subjects", expanding=True)),
        LT.c.revoked_at.is_(None),
    )
    .values(revoked_at=bindparam("b_now"), revoked_reason=EndReason.REPLACED.value)
)


def issue(
    connection: Connection,
    *,
    keys: Sequence[bytes],
    base_url: str,
    procedure_id: str,
    purpose: Purpose,
    subjects: list[int],
    now: datetime,
    valid_days: int,
) -> dict[int, str]:
    """A fresh link per person; the previous link of each for this purpose is revoked."""
    if not subjects:
        return {}
    connection.execute(
        _REVOKE,
        {"b_pid": procedure_id, "b_purpose": purpose.value, "b_subjects": subjects, "b_now": now},
    )
    expires = now + timedelta(days=valid_days)
    signer = _serializer(keys)
    links: dict[int, str] = {}
    rows: list[dict[str, Any]] = []
    for subject in subjects:
        nonce = secrets.token_urlsafe(18)
        token = signer.dumps(
            [purpose.value, procedure_id, subject, nonce, int(expires.timestamp())]
        )
        links[subject] = f"{base_url}{LINK_PATHS[purpose]}/{token}"
        rows.append(
            {
                "procedure_id": procedure_id,
                "purpose": purpose.value,
                "subject_id": subject,
                "nonce_hash": _digest(nonce),
                "issued_at": now,
                "expires_at": expires,
            }
        )
    connection.execute(insert(LT), rows)
    return links


def revoke(
    connection: Connection,
    procedure_id: str,
    purpose: Purpose,
    subject_id: int,
    now: datetime,
    reason: EndReason = EndReason.REVOKED,
) -> int:
    """Withdraw every live link of one person for one purpose; how many there were."""
    result = connection.execute(
        _REVOKE.values(revoked_reason=reason.value),
        {
            "b_pid": procedure_id,
            "b_purpose": purpose.value,
            "b_subjects": [subject_id],
            "b_now": now,
        },
    )
    return int(result.rowcount or 0)


_END = (
    update(LT)
    .where(
        LT.c.procedure_id == bindparam("b_pid"),
        LT.c.purpose.in_(bindparam("b_purposes", expanding=True)),
        LT.c.revoked_at.is_(None),
    )
    .values(revoked_at=bindparam("b_now"), revoked_reason=bindparam("b_reason"))
)


def end_links(
    connection: Connection,
    procedure_id: str,
    now: datetime,
    reason: EndReason,
    purposes: Iterable[Purpose] = tuple(Purpose),
) -> int:
    """End every live link of a procedure for `purposes` (a step done, the procedure over).

    Run inside the transaction of the step itself, so the step and the end of its links
    commit together. The sessions opened with those links end on their next request.
    """
    result = connection.execute(
        _END,
        {
            "b_pid": procedure_id,
            "b_purposes": [p.value for p in purposes],
            "b_now": now,
            "b_reason": reason.value,
        },
    )
    return int(result.rowcount or 0)


_INVALID = Text(
    "Deze link is ongeldig. Controleer of u de volledige link uit de e-mail hebt gebruikt.",
    "This link is not valid. Check that you used the complete link from the e-mail.",
)
_EXPIRED = Text(
    "Deze link is verlopen. Vraag de procesbegeleider om een nieuwe link.",
    "This link has expired. Ask the facilitator for a new link.",
)
_REVOKED = Text(
    "Deze link is ingetrokken of vervangen door een nieuwere link. Gebruik de link uit de "
    "meest recente e-mail, of vraag de procesbegeleider om een nieuwe.",
    "This link has been revoked or replaced by a newer one. Use the link in the most recent "
    "e-mail, or ask the facilitator for a new one.",
)
_DONE = Text(
    "Deze link is afgesloten: waarvoor hij diende, is vastgelegd. U hoeft niets meer te doen.",
    "This link has been closed: what it was for has been recorded. Nothing more is needed.",
)
_ENDED = Text(
    "Deze link is afgesloten: de procedure is afgerond of geannuleerd.",
    "This link has been closed: the procedure has been completed or cancelled.",
)


def _payload(keys: Sequence[bytes], token: str, purpose: Purpose) -> tuple[str, int, str, int]:
    try:
        data = _serializer(keys).loads(token)
    except BadSignature:
        raise LinkRefused(LinkProblem.INVALID, _INVALID) from None
    valid_shape = (
        isinstance(data, list)
        and len(data) == 5
        and data[0] == purpose.value
        and isinstance(data[1], str)
        and isinstance(data[2], int)
        and isinstance(data[3], str)
        and isinstance(data[4], int)
    )
    if not valid_shape:
        raise LinkRefused(LinkProblem.INVALID, _INVALID)
    return data[1], data[2], data[3], data[4]


def verify(
    connection: Connection, *, keys: Sequence[bytes], token: str, purpose: Purpose, now: datetime
) -> Grant:
    """The grant of a link, or LinkRefused saying whether it is invalid, expired or ended."""
    procedure_id, subject, nonce, expires_epoch = _payload(keys, token, purpose)
    if now.timestamp() >= expires_epoch:
        raise LinkRefused(LinkProblem.EXPIRED, _EXPIRED)
    row = connection.execute(
        select(
            LT.c.id,
            LT.c.procedure_id,
            LT.c.subject_id,
            LT.c.revoked_at,
            LT.c.revoked_reason,
            LT.c.expires_at,
        ).where(LT.c.nonce_hash == _digest(nonce), LT.c.purpose == purpose.value)
    ).first()
    if row is None or row.procedure_id != procedure_id or row.subject_id != subject:
        raise LinkRefused(LinkProblem.INVALID, _INVALID)
    if row.revoked_at is not None:
        problem = _ended(row.revoked_reason)
        raise LinkRefused(problem, problem_text(problem))
    return Grant(row.id, purpose, procedure_id, subject, row.expires_at)


def _ended(reason: str | None) -> LinkProblem:
    return _PROBLEM_OF_REASON.get(reason or "", LinkProblem.REVOKED)


_STILL_VALID = select(LT.c.revoked_at, LT.c.revoked_reason, LT.c.expires_at).where(
    LT.c.id == bindparam("lid")
)


def still_valid(connection: Connection, link_id: int, now: datetime) -> LinkProblem | None:
    """Checked on every request of a link's session: ending a link ends its sessions too."""
    row = connection.execute(_STILL_VALID, {"lid": link_id}).first()
    if row is None:
        return LinkProblem.INVALID
    if row.revoked_at is not None:
        return _ended(row.revoked_reason)
    if now >= row.expires_at.astimezone(UTC):
        return LinkProblem.EXPIRED
    return None


def problem_text(problem: LinkProblem) -> Text:
    return {
        LinkProblem.INVALID: _INVALID,
        LinkProblem.EXPIRED: _EXPIRED,
        LinkProblem.DONE: _DONE,
        LinkProblem.ENDED: _ENDED,
    }.get(problem, _REVOKED)

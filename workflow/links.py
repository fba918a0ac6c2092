"""Personal links: signed, expiring, bound to one person of one procedure, revocable.

A link carries its purpose, procedure, person, a random nonce and its expiry, signed with
the installation's key (itsdangerous, HMAC-SHA256). A forged or altered link fails the
signature without a database read; an expired one fails on its own date; a revoked one is
refused because its row in `access_links` says so. Only the nonce's SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
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

LT, ST = table_of(m.AccessLink), table_of(m.InstanceSecret)
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


def signing_key(connection: Connection) -> str:
    key = connection.execute(select(ST.c.value).where(ST.c.name == "link_key")).scalar()
    if key is None:  # pragma: no cover - the migration makes it
        raise RuntimeError("no link key in instance_secrets; run the migrations")
    return str(key)


def _serializer(key: str) -> URLSafeSerializer:
    return URLSafeSerializer(key, salt=_SALT)


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
    .values(revoked_at=bindparam("b_now"), revoked_reason="replaced")
)


def issue(
    connection: Connection,
    *,
    key: str,
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
    signer = _serializer(key)
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
    connection: Connection, procedure_id: str, purpose: Purpose, subject_id: int, now: datetime
) -> int:
    """Withdraw every live link of one person for one purpose; how many there were."""
    result = connection.execute(
        _REVOKE.values(revoked_reason="revoked"),
        {
            "b_pid": procedure_id,
            "b_purpose": purpose.value,
            "b_subjects": [subject_id],
            "b_now": now,
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


def _payload(key: str, token: str, purpose: Purpose) -> tuple[str, int, str, int]:
    try:
        data = _serializer(key).loads(token)
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
    connection: Connection, *, key: str, token: str, purpose: Purpose, now: datetime
) -> Grant:
    """The grant of a link, or LinkRefused saying whether it is invalid, expired or revoked."""
    procedure_id, subject, nonce, expires_epoch = _payload(key, token, purpose)
    if now.timestamp() >= expires_epoch:
        raise LinkRefused(LinkProblem.EXPIRED, _EXPIRED)
    row = connection.execute(
        select(LT.c.id, LT.c.procedure_id, LT.c.subject_id, LT.c.revoked_at, LT.c.expires_at).where(
            LT.c.nonce_hash == _digest(nonce), LT.c.purpose == purpose.value
        )
    ).first()
    if row is None or row.procedure_id != procedure_id or row.subject_id != subject:
        raise LinkRefused(LinkProblem.INVALID, _INVALID)
    if row.revoked_at is not None:
        raise LinkRefused(LinkProblem.REVOKED, _REVOKED)
    return Grant(row.id, purpose, procedure_id, subject, row.expires_at)


_STILL_VALID = select(LT.c.revoked_at, LT.c.expires_at).where(LT.c.id == bindparam("lid"))


def still_valid(connection: Connection, link_id: int, now: datetime) -> LinkProblem | None:
    """Checked on every request of a link's session: revoking a link ends its sessions too."""
    row = connection.execute(_STILL_VALID, {"lid": link_id}).first()
    if row is None:
        return LinkProblem.INVALID
    if row.revoked_at is not None:
        return LinkProblem.REVOKED
    if now >= row.expires_at.astimezone(UTC):
        return LinkProblem.EXPIRED
    return None


def problem_text(problem: LinkProblem) -> Text:
    return {LinkProblem.INVALID: _INVALID, LinkProblem.EXPIRED: _EXPIRED}.get(problem, _REVOKED)

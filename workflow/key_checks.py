"""The database's record of which master keys belong to the installation (`key_checks`).

Each accepted key has a check value there: the HMAC-SHA256 of a fixed text under the key
derived from it for links. A check value opens nothing and signs nothing, but it lets every
process see whether its keys are the installation's before it signs a single link:

- A database without check values is a fresh installation (or one just upgraded): the first
  process records its keys. Only then may a key file be made (workflow.app).
- A ring with none of the recorded keys is refused (EnvironmentProblem, exit 7 / 503, naming
  the key file or variable): a worker started in another folder would otherwise make a key
  file of its own, and every link it mailed would be dead everywhere else.
- A ring whose newest keys come after the database's newest key extends it (a rotation): they
  are recorded. A ring that lacks the database's newest key while holding newer keys of its
  own was rotated apart from the others, and is refused.
- Keys of the ring older than a recorded key but not recorded themselves were retired: they
  are left out, so they verify nothing even before the key file is rewritten.
- A ring that lacks the database's newest key but is otherwise in step still works (its
  keys verify and sign what every process accepts) and is reported as stale by /ready.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, text

from states.errors import EnvironmentProblem
from states.i18n import Text
from workflow.db import models as m
from workflow.db.models import table_of
from workflow.keys import KeyRing, KeyUse

KT = table_of(m.KeyCheck)
_CHECK_TEXT = b"hotspot-monitor/key-check/v1"
# The advisory lock that makes two processes recording keys at once take turns (PostgreSQL;
# SQLite's writers take turns anyway).
_LOCK_KEY = 727_011_2018


def check_value(master: bytes) -> str:
    """The check value of one master key: HMAC-SHA256 of a fixed text under its links key."""
    links_key = KeyRing((master,), "").current(KeyUse.LINKS)
    return hmac.new(links_key, _CHECK_TEXT, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Recorded:
    """The check values on record, oldest first, and when the newest was added."""

    checks: tuple[str, ...]
    newest_at: datetime | None


def recorded(connection: Connection) -> Recorded:
    rows = connection.execute(select(KT.c.check_value, KT.c.added_at).order_by(KT.c.id)).all()
    return Recorded(tuple(row.check_value for row in rows), rows[-1].added_at if rows else None)


@dataclass(frozen=True, slots=True)
class Plan:
    """What a ring means against the record: the keys to use, the ones to record, stale."""

    ring: KeyRing
    to_record: tuple[str, ...]
    stale: bool


def plan(ring: KeyRing, record: Recorded) -> Plan:
    """Judge `ring` against the record; EnvironmentProblem when it is not the installation's."""
    checks = [check_value(master) for master in ring.masters]
    if not record.checks:
        return Plan(ring, tuple(checks), stale=False)
    known = set(record.checks)
    found = [i for i, c in enumerate(checks) if c in known]
    if not found:
        raise EnvironmentProblem(ring.source, _not_ours(ring, record))
    last = max(found)
    newer = tuple(checks[last + 1 :])
    newest = record.checks[-1]
    if newer and checks[last] != newest:
        raise EnvironmentProblem(ring.source, _diverged(ring, record))
    kept = tuple(master for i, master in enumerate(ring.masters) if checks[i] in known or i > last)
    return Plan(KeyRing(kept, ring.source), newer, stale=not newer and newest not in checks)


def record_keys(connection: Connection, ring: KeyRing, now: datetime) -> Plan:
    """Plan again under a lock and record what the ring adds; in the caller's transaction."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    decided = plan(ring, recorded(connection))
    if decided.to_record:
        connection.execute(
            insert(KT), [{"check_value": c, "added_at": now} for c in decided.to_record]
        )
    return decided


def keep_only(connection: Connection, master: bytes) -> int:
    """Forget every recorded key but `master` (`hotspot keys retire`); how many went."""
    result = connection.execute(delete(KT).where(KT.c.check_value != check_value(master)))
    return int(result.rowcount or 0)


def missing_file(path: str, record: Recorded) -> EnvironmentProblem:
    """A key file that is not there while the database has keys: never made afresh."""
    since = _since(record)
    return EnvironmentProblem(
        path,
        Text(
            f"het sleutelbestand bestaat niet, maar de database heeft al sleutels ({since.nl}); "
            "er wordt geen nieuw gemaakt, want links en sessies van deze installatie zouden "
            "daarmee ongeldig worden. Zet HOTSPOT_KEY_FILE op het sleutelbestand van deze "
            "installatie of kopieer het naar deze plek (met chmod 600)",
            f"the key file does not exist, but the database already has keys ({since.en}); no "
            "new one is made, as it would invalidate this installation's links and sessions. "
            "Point HOTSPOT_KEY_FILE at this installation's key file or copy it to this place "
            "(with chmod 600)",
        ),
    )


def _since(record: Recorded) -> Text:
    count = len(record.checks)
    when = record.newest_at.strftime("%Y-%m-%d %H:%M") if record.newest_at else "?"
    return Text(
        f"{count} sleutel(s), de nieuwste vastgelegd op {when} UTC",
        f"{count} key(s), the newest recorded on {when} UTC",
    )


def _not_ours(ring: KeyRing, record: Recorded) -> Text:
    since = _since(record)
    return Text(
        f"deze sleutels horen niet bij deze database (die kent {since.nl}); links en sessies "
        "zouden ermee ongeldig worden. Gebruik het sleutelbestand van deze installatie "
        "(HOTSPOT_KEY_FILE) of dezelfde HOTSPOT_SECRET_KEY als de andere processen",
        f"these keys do not belong to this database (which knows {since.en}); links and "
        "sessions would be invalid with them. Use this installation's key file "
        "(HOTSPOT_KEY_FILE) or the same HOTSPOT_SECRET_KEY as the other processes",
    )


def _diverged(ring: KeyRing, record: Recorded) -> Text:
    since = _since(record)
    return Text(
        f"deze sleutels zijn los van de database geroteerd: er staat een nieuwere sleutel in "
        f"die de database niet kent, terwijl de nieuwste sleutel van de database ({since.nl}) "
        "ontbreekt. Gebruik overal hetzelfde sleutelbestand of dezelfde HOTSPOT_SECRET_KEY",
        f"these keys were rotated apart from the database: they hold a newer key the database "
        f"does not know, while the database's newest key ({since.en}) is missing. Use the "
        "same key file or HOTSPOT_SECRET_KEY everywhere",
    )


def status(ring: KeyRing, record: Recorded) -> str | None:
    """For /ready: None when in step, "stale" when the database knows a newer key; a
    ring that is not the installation's raises (EnvironmentProblem) as `plan` does."""
    decided = plan(ring, record)
    if decided.to_record:
        return "unrecorded"
    return "stale" if decided.stale else None

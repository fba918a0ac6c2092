"""Fresh personal links for mail that goes out again, and only while their step is open.

A failed mail sent again (`hotspot mail retry`) and a waiting mail whose link was made with a
key about to be retired (`hotspot keys retire`) get a fresh link. Issuing a link revokes the
person's earlier one for the same step, so the messages of one person and step that go out
together share one link. No link is issued for a step that is over: not once the procedure
has ended (closed or cancelled), not for advice once the advice is recorded, not for a
decision once the decision is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from notifications.outbox import OUTBOX, OutboxStatus, PersonalLink
from notifications.sealed import Sealer
from notifications.settings import MailSettings
from states.i18n import Text
from states.phases import Phase
from workflow import links
from workflow.app import App
from workflow.db import models as m
from workflow.db.models import table_of
from workflow.keys import KeyRing, KeyUse

_C = OUTBOX.c
_LV = table_of(m.ListVersion).c
PROCEDURES = table_of(m.Procedure)
WAITING = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)


def issue_links(
    connection: Connection,
    *,
    keys: KeyRing,
    mail: MailSettings,
    procedure_id: str,
    purpose: links.Purpose,
    subjects: Iterable[int],
    now: datetime,
) -> dict[int, PersonalLink]:
    """One fresh link per person (expert, or member for advice and decision), by their id.

    Each replaces (revokes) the person's earlier link for this purpose; only a hash is
    stored, and the mail's row keeps the link sealed, never in its body.
    """
    wanted = list(dict.fromkeys(subjects))
    if not wanted:
        return {}
    issued = links.issue(
        connection,
        keys=links.link_keys(keys),
        base_url=mail.base_url,
        procedure_id=procedure_id,
        purpose=purpose,
        subjects=wanted,
        now=now,
        valid_days=mail.link_valid_days,
    )
    return {subject: PersonalLink(purpose.value, subject, url) for subject, url in issued.items()}


@dataclass(frozen=True, slots=True)
class StepOver:
    """Why a mail (and its link) may not go out any more: a rule code, what it means, figures."""

    code: str
    message: Text
    figures: Text


def step_over(
    connection: Connection, procedure_id: str, phase: Phase, purpose: links.Purpose | None
) -> StepOver | None:
    """Whether the step a mail's link serves is over; `purpose` None asks about the procedure."""
    if not phase.is_open:
        label = phase.label
        return StepOver(
            "mail.procedure_ended",
            Text(
                f"de procedure is {label.nl}: er gaat geen mail van meer uit, en geen link",
                f"the procedure is {label.en}: no more mail of it goes out, nor a link",
            ),
            Text(f"fase: {label.nl}", f"phase: {label.en}"),
        )
    if purpose not in (links.Purpose.ADVICE, links.Purpose.DECISION):
        return None
    latest = connection.execute(
        select(_LV.number, _LV.advice_at, _LV.decided_at)
        .where(_LV.procedure_id == procedure_id)
        .order_by(_LV.number.desc())
        .limit(1)
    ).first()
    if latest is None:
        return None
    if purpose is links.Purpose.ADVICE and latest.advice_at is not None:
        return StepOver(
            "mail.step_done",
            Text(
                f"het advies over lijst {latest.number} is al vastgelegd: de adviesaanvraag "
                "(met haar link) is niet meer nodig",
                f"the advice on list {latest.number} has been recorded: the request for "
                "advice (with its link) is no longer needed",
            ),
            Text(
                f"advies vastgelegd: lijst {latest.number}",
                f"advice recorded: list {latest.number}",
            ),
        )
    if purpose is links.Purpose.DECISION and latest.decided_at is not None:
        return StepOver(
            "mail.step_done",
            Text(
                f"het besluit over lijst {latest.number} is al vastgelegd: het voorstel (met "
                "zijn besluitlink) is niet meer nodig",
                f"the decision on list {latest.number} has been recorded: the proposal (with "
                "its decision link) is no longer needed",
            ),
            Text(
                f"besluit vastgelegd: lijst {latest.number}",
                f"decision recorded: list {latest.number}",
            ),
        )
    return None


@dataclass(frozen=True, slots=True)
class Renewed:
    """What renewing the links of waiting mail did: fresh links, and mail whose step is over."""

    renewed: int
    failed: int


def renew_waiting(app: App, ring: KeyRing, now: datetime) -> Renewed:
    """Give each waiting mail whose sealed link the newest key cannot open a fresh link, signed
    and sealed with the newest key (one per person and step); a mail whose step is over fails
    with the reason instead. One transaction; run before older keys are retired, so that no
    waiting mail is left with a link nobody can open or verify.
    """
    newest = Sealer([ring.current(KeyUse.OUTBOX)])
    sealer = Sealer(ring.derive(KeyUse.OUTBOX))
    query = (
        select(
            _C.id,
            _C.procedure_id,
            _C.link_purpose,
            _C.link_subject_id,
            _C.link_secret,
            PROCEDURES.c.phase,
        )
        .join_from(OUTBOX, PROCEDURES, _C.procedure_id == PROCEDURES.c.id)
        .where(
            _C.status.in_(WAITING),
            _C.link_purpose.is_not(None),
            _C.link_subject_id.is_not(None),
        )
        .order_by(_C.id)
    )
    renewed = failed = 0
    with app.transaction() as connection:
        groups: dict[tuple[str, str, str], dict[int, list[int]]] = {}
        for row in connection.execute(query):
            if row.link_secret and newest.open(row.link_secret) is not None:
                continue
            key = (str(row.procedure_id), str(row.phase), str(row.link_purpose))
            groups.setdefault(key, {}).setdefault(int(row.link_subject_id), []).append(int(row.id))
        for (procedure_id, phase, purpose_value), by_subject in groups.items():
            purpose = links.Purpose(purpose_value)
            over = step_over(connection, procedure_id, Phase(phase), purpose)
            if over is not None:
                ids = [i for found in by_subject.values() for i in found]
                connection.execute(
                    update(OUTBOX)
                    .where(_C.id.in_(ids))
                    .values(
                        status=OutboxStatus.FAILED.value,
                        lease_until=None,
                        link_secret=None,
                        last_error=f"not sent: {over.message.en}",
                    )
                )
                failed += len(ids)
                continue
            fresh = issue_links(
                connection,
                keys=ring,
                mail=app.settings.mail,
                procedure_id=procedure_id,
                purpose=purpose,
                subjects=by_subject,
                now=now,
            )
            for subject, ids in by_subject.items():
                connection.execute(
                    update(OUTBOX)
                    .where(_C.id.in_(ids))
                    .values(link_secret=sealer.seal(fresh[subject].url))
                )
                renewed += len(ids)
    return Renewed(renewed, failed)

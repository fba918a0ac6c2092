"""Workgroup members and experts: adding, importing and recording their answers."""

from __future__ import annotations

import contextlib
import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from notifications.addresses import AddressRefused, mailbox
from notifications.outbox import OUTBOX, OutboxStatus, PersonRef
from notifications.render import RenderedMail
from states.actions import Action
from states.errors import InvalidInput
from states.i18n import Text
from states.phases import Phase
from states.snapshot import Perspective, Response
from workflow import validation
from workflow.app import App
from workflow.commands.base import Change, run_change
from workflow.db import models as m
from workflow.db import tables
from workflow.environment import reading_input_file
from workflow.events import ExpertAnswered, ExpertsInvited
from workflow.notify.messages import render_invitation
from workflow.procedure_store import load_procedure

PERSPECTIVE_ALIASES = {"intern": "internal", "extern": "external"}


def add_member(
    app: App,
    procedure_id: str,
    *,
    name: str,
    email: str,
    role: str,
    actor: str,
    language: str = "nl",
    salutation: str = "neutraal",
) -> dict[str, Any]:
    clean_name = validation.single_line("name", name, max_length=200)
    address = validation.email("email", email)
    mail_language = validation.language("language", language)
    greeted = validation.salutation("salutation", salutation)

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.ADD_MEMBER)
        clean_role = validation.choice("role", role, change.config.roles.known)
        key = validation.email_key(address)
        duplicate = change.session.scalars(
            select(m.Member.id).where(
                m.Member.procedure_id == change.procedure.id,
                m.Member.email_key == key,
                m.Member.role == clean_role,
            )
        ).first()
        if duplicate is not None:
            raise InvalidInput(
                "email",
                Text(
                    f"{address} is al lid van de werkgroep met de rol {clean_role}",
                    f"{address} is already a workgroup member with the role {clean_role}",
                ),
            )
        member = m.Member(
            procedure_id=change.procedure.id,
            name=clean_name,
            email=address,
            email_key=key,
            role=clean_role,
            language=mail_language,
            salutation=greeted,
        )
        change.session.add(member)
        change.session.flush()
        change.data = {
            "member": member.id,
            "name": clean_name,
            "email": address,
            "role": clean_role,
            "language": mail_language,
        }
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "member": member.id,
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "member.add", body)


def _new_expert(change: Change, row: dict[str, str], where: str = "") -> m.Expert:
    """Check one expert's fields; `where` prefixes the field name (a CSV line number)."""
    name = validation.single_line(f"{where}name", row.get("name"), max_length=200)
    address = validation.email(f"{where}email", row.get("email"))
    perspective = validation.choice(
        f"{where}perspective",
        row.get("perspective", ""),
        tuple(p.value for p in Perspective),
        PERSPECTIVE_ALIASES,
    )
    profile = validation.choice(
        f"{where}profile", row.get("profile", ""), change.config.profiles.known
    )
    language = validation.language(f"{where}language", row.get("language") or "nl")
    greeted = validation.salutation(f"{where}salutation", row.get("salutation"))
    return m.Expert(
        procedure_id=change.procedure.id,
        name=name,
        email=address,
        email_key=validation.email_key(address),
        perspective=perspective,
        profile=profile,
        response=Response.PENDING.value,
        language=language,
        salutation=greeted,
    )


def _refuse_known_addresses(
    session: Session, procedure_id: str, keys: list[str], field: str
) -> None:
    taken = set(
        session.scalars(
            select(m.Expert.email_key).where(
                m.Expert.procedure_id == procedure_id, m.Expert.email_key.in_(keys)
            )
        )
    )
    if taken:
        raise InvalidInput(
            field,
            Text(
                f"al als expert opgenomen: {', '.join(sorted(taken))}",
                f"already listed as expert: {', '.join(sorted(taken))}",
            ),
        )


def add_expert(
    app: App,
    procedure_id: str,
    *,
    name: str,
    email: str,
    perspective: str,
    profile: str,
    actor: str,
    language: str = "nl",
    salutation: str = "neutraal",
) -> dict[str, Any]:
    def body(change: Change) -> dict[str, Any]:
        change.require(Action.ADD_EXPERT)
        expert = _new_expert(
            change,
            {
                "name": name,
                "email": email,
                "perspective": perspective,
                "profile": profile,
                "language": language,
                "salutation": salutation,
            },
        )
        _refuse_known_addresses(change.session, change.procedure.id, [expert.email_key], "email")
        change.session.add(expert)
        change.session.flush()
        change.data = {
            "expert": expert.id,
            "name": expert.name,
            "email": expert.email,
            "perspective": expert.perspective,
            "profile": expert.profile,
            "language": expert.language,
        }
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "expert": expert.id,
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "expert.add", body)


CSV_HEADERS = {
    "name": "name",
    "naam": "name",
    "email": "email",
    "e-mail": "email",
    "e-mailadres": "email",
    "perspective": "perspective",
    "perspectief": "perspective",
    "profile": "profile",
    "profiel": "profile",
    "language": "language",
    "taal": "language",
    "salutation": "salutation",
    "aanhef": "salutation",
}


# Read in pieces of this size, so a huge file (or /dev/zero) never sits in memory whole.
_CHUNK = 64 * 1024


def _read_bounded(path: Path, limit: int) -> bytes:
    """The file's bytes, if there are at most `limit`; InvalidInput naming it otherwise."""
    pieces: list[bytes] = []
    size = 0
    with path.open("rb") as handle:
        while size <= limit:
            piece = handle.read(min(_CHUNK, limit + 1 - size))
            if not piece:
                break
            pieces.append(piece)
            size += len(piece)
    if size > limit:
        shown = f"{limit:,}".replace(",", ".")
        raise InvalidInput(
            "path",
            Text(
                f"{path} is groter dan {shown} bytes, de grens voor een lijst met experts "
                "([web] max_upload_bytes); is dit wel het goede bestand?",
                f"{path} is larger than {limit:,} bytes, the limit for a list of experts "
                "([web] max_upload_bytes); is this the right file?",
            ),
        )
    return b"".join(pieces)


def read_expert_csv(path: Path, limit: int) -> list[dict[str, str]]:
    """Rows of an expert CSV (comma or semicolon, as Dutch spreadsheets write it), read once.

    At most `limit` bytes (the installation's `[web] max_upload_bytes`, as for an upload).
    """
    with reading_input_file(path, "path", Text("CSV-bestand", "a CSV")):
        raw = _read_bounded(path, limit)
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            "path", Text(f"{path} is geen UTF-8-tekst", f"{path} is not UTF-8 text")
        ) from None
    try:
        dialect = csv.Sniffer().sniff(content.splitlines()[0] if content else "", ",;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.DictReader(io.StringIO(content), delimiter=delimiter)
    try:
        return _csv_rows(reader)
    except csv.Error as error:
        # The csv module's own limit (a field over 131,072 characters), a NUL byte, a quote
        # left open: the file's fault, named with the line it stopped at.
        # line_num counts the lines read completely; the bad one is the next.
        raise InvalidInput("path", _csv_problem(path, reader.line_num + 1, error)) from None


def _csv_problem(path: Path, line: int, error: csv.Error) -> Text:
    if "field larger than field limit" in str(error):
        limit = csv.field_size_limit()
        dutch = f"{limit:,}".replace(",", ".")
        return Text(
            f"{path}, regel {line}: een veld is langer dan {dutch} tekens; is dit wel een "
            "lijst met experts?",
            f"{path}, line {line}: a field is longer than {limit:,} characters; is this a list "
            "of experts?",
        )
    return Text(
        f"{path}, regel {line}: geen leesbare CSV ({error})",
        f"{path}, line {line}: not readable as CSV ({error})",
    )


def _csv_rows(reader: csv.DictReader[str]) -> list[dict[str, str]]:
    headers = {CSV_HEADERS.get((h or "").strip().lower()) for h in reader.fieldnames or []}
    missing = [h for h in ("name", "email", "perspective", "profile") if h not in headers]
    if missing:
        raise InvalidInput(
            "path",
            Text(
                f"kolom ontbreekt: {', '.join(missing)} "
                "(verwacht: name, email, perspective, profile)",
                f"missing column: {', '.join(missing)} "
                "(expected: name, email, perspective, profile)",
            ),
        )
    rows = []
    for raw in reader:
        row = {
            CSV_HEADERS[k.strip().lower()]: (v or "").strip()
            for k, v in raw.items()
            if k and k.strip().lower() in CSV_HEADERS
        }
        if any(row.values()):
            rows.append(row)
    if not rows:
        raise InvalidInput(
            "path", Text("het bestand bevat geen experts", "the file contains no experts")
        )
    return rows


def import_experts(app: App, procedure_id: str, path: Path, *, actor: str) -> dict[str, Any]:
    """All rows or none: one bad line refuses the whole file, naming the line."""
    # Read once, before the transaction: a collision runs only the transaction again, and a
    # pipe (/dev/stdin) can be read only once.
    rows = read_expert_csv(path, app.settings.web.max_upload_bytes)

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.ADD_EXPERT)
        experts = [_new_expert(change, row, f"regel {n + 2}: ") for n, row in enumerate(rows)]
        seen: dict[str, int] = {}
        for n, expert in enumerate(experts):
            if expert.email_key in seen:
                raise InvalidInput(
                    f"regel {n + 2}: email",
                    Text(
                        f"{expert.email} staat ook op regel {seen[expert.email_key] + 2}",
                        f"{expert.email} also appears on line {seen[expert.email_key] + 2}",
                    ),
                )
            seen[expert.email_key] = n
        _refuse_known_addresses(
            change.session, change.procedure.id, [e.email_key for e in experts], "path"
        )
        change.session.add_all(experts)
        change.session.flush()
        change.data = {"file": str(path), "experts": [e.id for e in experts], "count": len(experts)}
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "experts": [e.id for e in experts],
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "expert.import", body)


def find_expert(change: Change, email: str, field: str) -> m.Expert:
    address = validation.email(field, email)
    expert = change.session.scalars(
        select(m.Expert).where(
            m.Expert.procedure_id == change.procedure.id,
            m.Expert.email_key == validation.email_key(address),
        )
    ).first()
    if expert is None:
        raise InvalidInput(
            field,
            Text(
                f"{address} is geen expert van deze procedure",
                f"{address} is not an expert of this procedure",
            ),
        )
    return expert


def respond(app: App, procedure_id: str, email: str, *, accept: bool, actor: str) -> dict[str, Any]:
    answer = Response.ACCEPTED if accept else Response.DECLINED

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.RESPOND)
        expert = find_expert(change, email, "email")
        if expert.response == answer.value:
            raise InvalidInput(
                "email",
                Text(
                    f"{expert.email} heeft dit antwoord al gegeven ({answer.value})",
                    f"{expert.email} already gave this answer ({answer.value})",
                ),
            )
        previous = expert.response
        expert.response = answer.value
        expert.responded_at = change.now
        change.data = {"expert": expert.id, "response": answer.value, "previous": previous}
        change.record(ExpertAnswered(expert.id))
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "expert": expert.id,
            "response": answer.value,
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "expert.respond", body)


def invite(app: App, procedure_id: str, emails: list[str], *, actor: str) -> dict[str, Any]:
    """Queue the invitation mail, each with a fresh personal response link.

    Without addresses: every expert not yet invited. Naming an expert who was invited before
    sends a new invitation, whose link replaces the old one.
    """

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.INVITE_EXPERT)
        if emails:
            experts = [find_expert(change, address, "emails") for address in emails]
            experts = list({e.id: e for e in experts}.values())
        else:
            experts = list(
                change.session.scalars(
                    select(m.Expert)
                    .where(
                        m.Expert.procedure_id == change.procedure.id,
                        m.Expert.invited_at.is_(None),
                    )
                    .order_by(m.Expert.id)
                )
            )
        if not experts:
            raise InvalidInput(
                "emails",
                Text(
                    "alle experts hebben al een uitnodiging gekregen; noem een e-mailadres "
                    "om iemand opnieuw uit te nodigen",
                    "every expert has already been invited; name an address to invite "
                    "someone again",
                ),
            )
        for expert in experts:
            expert.invited_at = change.now
        change.record(ExpertsInvited(tuple(e.id for e in experts)))
        change.data = {"experts": [e.id for e in experts], "count": len(experts)}
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "invited": [e.email for e in experts],
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "expert.invite", body)


# --- correcting an address -----------------------------------------------------------------


def _readdress(change: Change, people: list[PersonRef], address: str) -> int:
    """Point this person's waiting and failed mail of the procedure at the corrected address.

    Matched on the person kept with each mail (an expert, or a member in each role they
    hold), never on the address alone: someone else's mail to the same address stays where it
    was. A failed message retried afterwards (`hotspot mail retry`) goes to the corrected
    address; sent mail stays as it went, and a message being sent right now is left to its
    sender.
    """
    outbox = OUTBOX.c
    result = change.connection.execute(
        update(OUTBOX)
        .where(
            outbox.procedure_id == change.procedure.id,
            outbox.recipient_kind == people[0].kind,
            outbox.recipient_id.in_([p.id for p in people]),
            outbox.status.in_((OutboxStatus.PENDING.value, OutboxStatus.FAILED.value)),
        )
        .values(recipient_email=address)
    )
    return int(result.rowcount or 0)


def _old_keys(old: str) -> list[str]:
    """The keys the address on record may have: as typed, and in the form the check makes
    of it (an international domain in ASCII). The one on record may be one today's check
    refuses (that may be the very reason to correct it), so it is also looked up as typed."""
    keys = [validation.email_key(old or "")]
    with contextlib.suppress(AddressRefused):
        keys.append(validation.email_key(mailbox(old or "")))
    return keys


def _same_address(current: list[str], address: str) -> None:
    if all(email == address for email in current):
        raise InvalidInput("new", Text("is hetzelfde adres als nu", "is the same address as now"))


def _unknown(old: str, what: Text) -> InvalidInput:
    shown = old.strip()
    return InvalidInput("old", Text(f"{shown} is {what.nl}", f"{shown} is {what.en}"))


def correct_expert_email(
    app: App, procedure_id: str, old: str, new: str, *, actor: str
) -> dict[str, Any]:
    """Give an expert a corrected address (audited as `expert.email`), in one transaction.

    Still one address per expert per procedure; their waiting and failed mail follows.
    """
    address = validation.email("new", new)
    key = validation.email_key(address)

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.CORRECT_ADDRESS)
        expert = change.session.scalars(
            select(m.Expert).where(
                m.Expert.procedure_id == change.procedure.id,
                m.Expert.email_key.in_(_old_keys(old)),
            )
        ).first()
        if expert is None:
            raise _unknown(
                old, Text("geen expert van deze procedure", "not an expert of this procedure")
            )
        _same_address([expert.email], address)
        if key != expert.email_key:
            _refuse_known_addresses(change.session, change.procedure.id, [key], "new")
        previous = expert.email
        moved = _readdress(change, [PersonRef("expert", expert.id)], address)
        expert.email, expert.email_key = address, key
        change.data = {"expert": expert.id, "from": previous, "to": address, "mail": moved}
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "expert": expert.id,
            "email": address,
            "mail": moved,
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "expert.email", body)


def correct_member_email(
    app: App, procedure_id: str, old: str, new: str, *, actor: str
) -> dict[str, Any]:
    """Give a workgroup member (in every role they hold) a corrected address, audited as
    `member.email`; still one member per address and role."""
    address = validation.email("new", new)
    key = validation.email_key(address)

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.CORRECT_ADDRESS)
        rows = list(
            change.session.scalars(
                select(m.Member)
                .where(
                    m.Member.procedure_id == change.procedure.id,
                    m.Member.email_key.in_(_old_keys(old)),
                )
                .order_by(m.Member.id)
            )
        )
        if not rows:
            raise _unknown(old, Text("geen lid van de werkgroep", "not a workgroup member"))
        _same_address([r.email for r in rows], address)
        roles = [r.role for r in rows]
        if key != rows[0].email_key:
            clash = change.session.scalars(
                select(m.Member.role).where(
                    m.Member.procedure_id == change.procedure.id,
                    m.Member.email_key == key,
                    m.Member.role.in_(roles),
                )
            ).first()
            if clash is not None:
                raise InvalidInput(
                    "new",
                    Text(
                        f"{address} is al lid van de werkgroep met de rol {clash}",
                        f"{address} is already a workgroup member with the role {clash}",
                    ),
                )
        previous = rows[0].email
        moved = _readdress(change, [PersonRef("member", r.id) for r in rows], address)
        for row in rows:
            row.email, row.email_key = address, key
        change.data = {
            "members": [r.id for r in rows],
            "roles": roles,
            "from": previous,
            "to": address,
            "mail": moved,
        }
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "members": [r.id for r in rows],
            "email": address,
            "mail": moved,
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "member.email", body)


# --- the invitation round: the facilitator's introduction and a preview ------------------------


def set_invitation_intro(app: App, procedure_id: str, *, text: str, actor: str) -> dict[str, Any]:
    """The facilitator's own words at the top of every invitation still to be queued."""
    intro = validation.text("text", text, max_length=4000, required=False) or None

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.SET_INVITATION_INTRO)
        procedures = tables.procedures
        change.connection.execute(
            update(procedures)
            .where(procedures.c.id == change.procedure.id)
            .values(invitation_intro=intro)
        )
        change.data = {"length": len(intro or "")}
        return {"ok": True, "procedure": change.procedure.id, "phase": change.procedure.phase}

    return run_change(app, procedure_id, actor, "invitation.intro", body)


@dataclass(frozen=True, slots=True)
class InvitationPreview:
    """The invitation as the next expert would get it, and how many are still to be invited."""

    mail: RenderedMail | None
    expert_name: str | None
    waiting: int
    # The facilitator's introduction as stored ("" when there is none).
    intro: str


def preview_invitation(app: App, procedure_id: str, *, actor: str) -> InvitationPreview:
    """The invitation the next expert to be invited would get, rendered by the same code that
    queues it, on a connection that never commits: nothing is stored, queued or audited."""
    with app.engine.connect() as connection:
        procedure = load_procedure(connection, procedure_id)
        change = Change(
            connection,
            procedure,
            Phase(procedure.phase),
            app.now(),
            actor,
            mail=app.settings.mail,
            _keys=lambda: app.keys,
        )
        try:
            waiting = list(
                change.session.scalars(
                    select(m.Expert)
                    .where(m.Expert.procedure_id == procedure_id, m.Expert.invited_at.is_(None))
                    .order_by(m.Expert.id)
                )
            )
            first = waiting[0] if waiting else None
            mail = render_invitation(change, first) if first is not None else None
            procedures = tables.procedures
            intro = connection.execute(
                select(procedures.c.invitation_intro).where(procedures.c.id == procedure.id)
            ).scalar()
            return InvitationPreview(mail, first.name if first else None, len(waiting), intro or "")
        finally:
            change.close()
            connection.rollback()

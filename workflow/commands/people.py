"""Workgroup members and experts: adding, importing and recording their answers."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from states.actions import Action
from states.errors import InvalidInput
from states.i18n import Text
from states.snapshot import Perspective, Response
from workflow import notify, validation
from workflow.app import App
from workflow.commands.base import Change, changing
from workflow.db import models as m

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
) -> dict[str, Any]:
    clean_name = validation.single_line("--name", name, max_length=200)
    address = validation.email("--email", email)
    mail_language = validation.language("--language", language)
    with changing(app, procedure_id, actor, "member.add") as change:
        change.require(Action.ADD_MEMBER)
        clean_role = validation.choice("--role", role, change.config.roles.known)
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
                "--email",
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


def _new_expert(change: Change, row: dict[str, str], where: str = "") -> m.Expert:
    """Check one expert's fields; `where` prefixes the field name (a CSV line number)."""
    name = validation.single_line(f"{where}--name", row.get("name"), max_length=200)
    address = validation.email(f"{where}--email", row.get("email"))
    perspective = validation.choice(
        f"{where}--perspective",
        row.get("perspective", ""),
        tuple(p.value for p in Perspective),
        PERSPECTIVE_ALIASES,
    )
    profile = validation.choice(
        f"{where}--profile", row.get("profile", ""), change.config.profiles.known
    )
    language = validation.language(f"{where}--language", row.get("language") or "nl")
    return m.Expert(
        procedure_id=change.procedure.id,
        name=name,
        email=address,
        email_key=validation.email_key(address),
        perspective=perspective,
        profile=profile,
        response=Response.PENDING.value,
        language=language,
    )


def _refuse_known_addresses(
    session: Session, procedure_id: str, experts: list[m.Expert], field: str
) -> None:
    keys = [e.email_key for e in experts]
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
) -> dict[str, Any]:
    with changing(app, procedure_id, actor, "expert.add") as change:
        change.require(Action.ADD_EXPERT)
        expert = _new_expert(
            change,
            {
                "name": name,
                "email": email,
                "perspective": perspective,
                "profile": profile,
                "language": language,
            },
        )
        _refuse_known_addresses(change.session, change.procedure.id, [expert], "--email")
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
}


def read_expert_csv(path: Path) -> list[dict[str, str]]:
    """Rows of an expert CSV (comma or semicolon, as Dutch spreadsheets write it)."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput(
            "FILE", Text(f"bestand {path} bestaat niet", f"file {path} does not exist")
        ) from None
    except UnicodeDecodeError:
        raise InvalidInput(
            "FILE", Text(f"{path} is geen UTF-8-tekst", f"{path} is not UTF-8 text")
        ) from None
    try:
        dialect = csv.Sniffer().sniff(content.splitlines()[0] if content else "", ",;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.DictReader(io.StringIO(content), delimiter=delimiter)
    headers = {CSV_HEADERS.get((h or "").strip().lower()) for h in reader.fieldnames or []}
    missing = [h for h in ("name", "email", "perspective", "profile") if h not in headers]
    if missing:
        raise InvalidInput(
            "FILE",
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
            "FILE", Text("het bestand bevat geen experts", "the file contains no experts")
        )
    return rows


def import_experts(app: App, procedure_id: str, path: Path, *, actor: str) -> dict[str, Any]:
    """All rows or none: one bad line refuses the whole file, naming the line."""
    rows = read_expert_csv(path)
    with changing(app, procedure_id, actor, "expert.import") as change:
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
        _refuse_known_addresses(change.session, change.procedure.id, experts, "FILE")
        change.session.add_all(experts)
        change.session.flush()
        change.data = {"file": str(path), "experts": [e.id for e in experts], "count": len(experts)}
    return {
        "ok": True,
        "procedure": change.procedure.id,
        "experts": [e.id for e in experts],
        "phase": change.procedure.phase,
    }


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
    with changing(app, procedure_id, actor, "expert.respond") as change:
        change.require(Action.RESPOND)
        expert = find_expert(change, email, "EMAIL")
        if expert.response == answer.value:
            raise InvalidInput(
                "EMAIL",
                Text(
                    f"{expert.email} heeft dit antwoord al gegeven ({answer.value})",
                    f"{expert.email} already gave this answer ({answer.value})",
                ),
            )
        previous = expert.response
        expert.response = answer.value
        expert.responded_at = change.now
        change.data = {"expert": expert.id, "response": answer.value, "previous": previous}
        notify.expert_response(change, expert)
    return {
        "ok": True,
        "procedure": change.procedure.id,
        "expert": expert.id,
        "response": answer.value,
        "phase": change.procedure.phase,
    }


def invite(app: App, procedure_id: str, emails: list[str], *, actor: str) -> dict[str, Any]:
    """Queue the invitation mail, each with a fresh personal response link.

    Without addresses: every expert not yet invited. Naming an expert who was invited before
    sends a new invitation, whose link replaces the old one.
    """
    with changing(app, procedure_id, actor, "expert.invite") as change:
        change.plan_deadlines = True
        change.require(Action.INVITE_EXPERT)
        if emails:
            experts = [find_expert(change, address, "EMAIL") for address in emails]
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
                "EMAIL",
                Text(
                    "alle experts hebben al een uitnodiging gekregen; noem een e-mailadres "
                    "om iemand opnieuw uit te nodigen",
                    "every expert has already been invited; name an address to invite "
                    "someone again",
                ),
            )
        notify.expert_invitations(change, experts)
        change.data = {"experts": [e.id for e in experts], "count": len(experts)}
    return {
        "ok": True,
        "procedure": change.procedure.id,
        "invited": [e.email for e in experts],
        "phase": change.procedure.phase,
    }

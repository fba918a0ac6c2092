"""The invitation round: a greeting per person, the facilitator's introduction, a preview first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from notifications.outbox import OUTBOX
from states.errors import InvalidInput, Refused
from states.phases import Phase
from tests import support
from tests.support import ACTOR
from tests.web_support import logged_in, post_form
from workflow.app import App
from workflow.commands import people, procedures


def _mails(app: App, pid: str, kind: str) -> list[dict[str, Any]]:
    query = select(OUTBOX).where(OUTBOX.c.procedure_id == pid, OUTBOX.c.kind == kind)
    with app.read() as db:
        return [dict(r._mapping) for r in db.execute(query.order_by(OUTBOX.c.id))]


def _outbox_size(app: App) -> int:
    with app.read() as db:
        return int(db.scalar(select(func.count()).select_from(OUTBOX)) or 0)


@pytest.fixture
def pid(app: App) -> str:
    """A procedure in expert selection, its experts added and not yet invited."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.PLANNING)
    support.plan(app, pid)
    procedures.advance(app, pid, actor=ACTOR)
    support.recruit(app, pid)
    return pid


def test_each_person_is_greeted_as_recorded(app: App, pid: str) -> None:
    people.add_expert(
        app,
        pid,
        name="Femke de Wit",
        email="femke@archief.example",
        perspective="extern",
        profile="historicus",
        salutation="mevrouw",
        actor=ACTOR,
    )
    people.add_expert(
        app,
        pid,
        name="Jan van der Berg",
        email="jan.vdberg@archief.example",
        perspective="extern",
        profile="journalist",
        salutation="dhr.",
        actor=ACTOR,
    )
    people.invite(app, pid, [], actor=ACTOR)
    by_address = {m["recipient_email"]: m for m in _mails(app, pid, "expert_invitation")}
    assert by_address["femke@archief.example"]["body_text"].startswith("Geachte mevrouw De Wit,")
    assert "Geachte mevrouw De Wit," in by_address["femke@archief.example"]["body_html"]
    assert by_address["jan.vdberg@archief.example"]["body_text"].startswith(
        "Geachte heer Van der Berg,"
    )
    # Everyone added without a salutation is greeted neutrally, by the whole name.
    hanna = by_address[support.EXTERNAL[0][1]]
    assert hanna["body_text"].startswith(f"Beste {support.EXTERNAL[0][0]},")


def test_an_unknown_salutation_is_refused_and_nothing_is_added(app: App, pid: str) -> None:
    before = people_count(app, pid)
    with pytest.raises(InvalidInput) as refused:
        people.add_expert(
            app,
            pid,
            name="Femke de Wit",
            email="femke@archief.example",
            perspective="extern",
            profile="historicus",
            salutation="prof.",
            actor=ACTOR,
        )
    assert refused.value.field == "salutation"
    assert "heer" in refused.value.message("nl") and "mevrouw" in refused.value.message("nl")
    assert people_count(app, pid) == before


def people_count(app: App, pid: str) -> int:
    """The experts not yet invited (all of them, in this fixture)."""
    return people.preview_invitation(app, pid, actor=ACTOR).waiting


def test_a_csv_import_reads_the_salutation_column(app: App, pid: str, tmp_path: Path) -> None:
    path = tmp_path / "experts.csv"
    path.write_text(
        "naam;e-mail;perspectief;profiel;aanhef\n"
        "Femke de Wit;femke@archief.example;extern;historicus;mw.\n"
        "Ali Bakker;ali@archief.example;extern;journalist;\n",
        encoding="utf-8",
    )
    people.import_experts(app, pid, path, actor=ACTOR)
    people.invite(app, pid, ["femke@archief.example", "ali@archief.example"], actor=ACTOR)
    by_address = {m["recipient_email"]: m for m in _mails(app, pid, "expert_invitation")}
    assert by_address["femke@archief.example"]["body_text"].startswith("Geachte mevrouw De Wit,")
    assert by_address["ali@archief.example"]["body_text"].startswith("Beste Ali Bakker,")


def test_the_preview_shows_the_introduction_and_queues_nothing(app: App, pid: str) -> None:
    people.set_invitation_intro(
        app, pid, text="Beste collega's,\nDit jaar kijken we terug op 2017-2023.", actor=ACTOR
    )
    before = _outbox_size(app)
    preview = people.preview_invitation(app, pid, actor=ACTOR)
    assert _outbox_size(app) == before, "a preview queued mail"
    assert preview.waiting == len(support.INTERNAL) + len(support.EXTERNAL)
    assert preview.mail is not None
    assert "Dit jaar kijken we terug op 2017-2023." in preview.mail.text
    assert preview.expert_name == support.INTERNAL[0][0]
    # The invitation that goes out says what the preview showed.
    people.invite(app, pid, [], actor=ACTOR)
    first = _mails(app, pid, "expert_invitation")[0]
    assert "Dit jaar kijken we terug op 2017-2023." in first["body_text"]
    assert first["subject"] == preview.mail.subject
    assert people.preview_invitation(app, pid, actor=ACTOR).mail is None


def test_the_introduction_can_be_set_only_before_the_sessions(app: App) -> None:
    running = support.open_procedure(app)
    support.drive_to(app, running, Phase.SESSIONS)
    with pytest.raises(Refused) as refused:
        people.set_invitation_intro(app, running, text="Te laat", actor=ACTOR)
    assert refused.value.codes == ["phase.action_not_allowed"]
    assert "selectie" in refused.value.explain("nl").lower()


def test_the_preview_page_escapes_and_the_form_saves_the_introduction(app: App, pid: str) -> None:
    web = logged_in(app)
    page = f"/procedures/{pid}/uitnodiging"
    answer = post_form(
        web, f"/procedures/{pid}/experts/intro", {"text": "<script>x()</script> Welkom!"}, page
    )
    assert answer.status_code in (200, 303)
    html = web.get(page).text
    assert "Er is nog niets verstuurd." in html
    assert "<script>x()</script>" not in html
    assert "&lt;script&gt;x()&lt;/script&gt; Welkom!" in html
    assert _mails(app, pid, "expert_invitation") == []

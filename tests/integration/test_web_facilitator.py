"""The facilitator's pages over the real app and database: dashboard, procedure, forms, audit."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from states.phases import Phase
from tests import support
from tests.support import ACTOR, EXTERNAL, INTERNAL
from tests.web_support import client, csrf_of, logged_in, post_form
from workflow import repository
from workflow.app import App
from workflow.commands import people, procedures
from workflow.db import models as m
from workflow.exports import XLSX_MEDIA_TYPE
from workflow.testing import FrozenClock
from workflow.web.routes import facilitator_actions


def page_of(pid: str) -> str:
    return f"/procedures/{pid}"


def submit(web: TestClient, pid: str, action: str, data: dict[str, str | list[str]]) -> str:
    """Post one form of the procedure page; the page after the redirect, with its flash.

    An irreversible step is posted as its summary page's second form posts it (`confirmed`);
    tests/integration/test_facilitator_confirmations.py covers the summary pages.
    """
    response = post_form(web, f"{page_of(pid)}/{action}", {**data, "confirmed": "1"}, page_of(pid))
    assert response.status_code == 303, response.text
    # Back to the procedure page, at the form's section when it has one.
    assert response.headers["location"].split("#")[0] == page_of(pid)
    follow = web.get(response.headers["location"])
    assert follow.status_code == 200
    return follow.text


def phase(app: App, pid: str) -> Phase:
    return procedures.status(app, pid).phase


def audit_count(app: App, pid: str) -> int:
    with app.read() as db:
        return repository.get_procedure(db, pid).audit_seq


def unbalanced_selection(app: App) -> str:
    """A procedure in expert selection whose accepted panel is 3 of 8 external (too few)."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    extra = [("Lotte Intern", "lotte@provincie.example"), ("Mark Intern", "mark@provincie.example")]
    internal = [(name, email) for name, email, _ in INTERNAL] + extra
    for name, email in internal:
        people.add_expert(
            app, pid, name=name, email=email, perspective="internal", profile="beleid", actor=ACTOR
        )
    for name, email, profile in EXTERNAL:
        people.add_expert(
            app, pid, name=name, email=email, perspective="external", profile=profile, actor=ACTOR
        )
    for _, email in internal + [(n, e) for n, e, _ in EXTERNAL]:
        people.respond(app, pid, email, accept=True, actor=ACTOR)
    return pid


def test_the_dashboard_lists_a_procedure_with_its_phase_and_blockers(app: App) -> None:
    """Each procedure is a row with a link to its page, its phase in Dutch and its blockers."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.WORKGROUP)

    html = logged_in(app).get("/procedures").text

    assert f'href="/procedures/{pid}"' in html
    assert "Provincie Overijssel" in html and "instellen hotspotwerkgroep" in html
    # The workgroup has no members yet: the required roles rule blocks advancing.
    assert '<span class="overdue">1</span>' in html


def test_the_dashboard_marks_overdue_milestones_and_shows_the_next_one(
    app: App, clock: FrozenClock
) -> None:
    """Past milestones with their work undone read "Over tijd"; the next one has its date."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    clock.advance(days=40)  # past the invitations and reply deadline, nobody invited

    html = logged_in(app).get("/procedures").text

    assert "Over tijd" in html and "uitnodigingen verstuurd" in html
    assert "17 februari 2025: uiterste antwoorddatum experts" in html


def test_a_procedure_opened_from_the_dashboard_gets_its_own_page(app: App) -> None:
    """The form calls init_procedure and leads to the new procedure's page."""
    web = logged_in(app)
    response = post_form(
        web,
        "/procedures",
        {
            "organisation": "Gemeente Deventer",
            "body": "College van B&W",
            "period": "2018-2022",
            "procedure_id": "deventer-2018",
        },
        "/procedures",
    )

    assert (
        response.status_code == 303 and response.headers["location"] == "/procedures/deventer-2018"
    )
    html = web.get("/procedures/deventer-2018").text
    assert "Procedure deventer-2018 geopend" in html and "Gemeente Deventer" in html
    assert phase(app, "deventer-2018") is Phase.PREPARATION


def test_the_procedure_page_shows_the_phase_and_the_blockers_with_their_figures(app: App) -> None:
    """The current phase is marked for sight and screen readers; a blocker has code and figures."""
    pid = unbalanced_selection(app)

    html = logged_in(app).get(page_of(pid)).text

    assert '<li class="current" aria-current="step">selectie experts' in html
    assert "(afgerond)" in html
    assert "<code>panel.external_share</code>" in html
    assert "3 van 8 experts extern (38%), minimaal 40%" in html
    # Only a rule that may be set aside offers the deviation form.
    assert 'name="rule" value="panel.external_share"' in html


def test_a_refused_advance_is_flashed_with_rule_code_and_figures(app: App) -> None:
    """Advancing past a failing balance rule changes nothing and says why on the page."""
    pid = unbalanced_selection(app)
    web = logged_in(app)

    html = submit(web, pid, "advance", {"reason": ""})

    assert 'class="flash flash-error"' in html
    # The facilitator's flash folds the rule's code into <details>; the line is in words.
    assert "<details><summary>Regelcodes</summary><p><code>panel.external_share</code>" in html
    assert "[panel.external_share]" not in html and "3 van 8 experts extern (38%)" in html
    assert phase(app, pid) is Phase.EXPERT_SELECTION


def test_a_recorded_deviation_lets_the_procedure_advance(app: App) -> None:
    """With the reason on record the rule no longer blocks, and the deviation is listed."""
    pid = unbalanced_selection(app)
    web = logged_in(app)

    html = submit(
        web,
        pid,
        "deviations",
        {"rule": "panel.external_share", "reason": "Twee externe experts zegden laat af"},
    )
    assert "Afwijking vastgelegd" in html and "Twee externe experts zegden laat af" in html

    html = submit(web, pid, "advance", {"reason": ""})

    assert "Naar de volgende fase" in html
    assert phase(app, pid) is Phase.SESSIONS
    assert '<li class="current" aria-current="step">expertbijeenkomsten' in html


def test_a_deviation_from_a_rule_that_cannot_be_set_aside_is_refused(app: App) -> None:
    """The command refuses; the page shows the refusal's rule code."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.WORKGROUP)
    before = audit_count(app, pid)

    html = submit(
        logged_in(app), pid, "deviations", {"rule": "workgroup.required_roles", "reason": "x"}
    )

    assert "<code>deviation.not_allowed</code>" in html and "[deviation." not in html
    assert audit_count(app, pid) == before


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(app: App) -> None:
    """A post from another site (no token) gets 403 and leaves the procedure as it was."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.WORKGROUP)
    before = audit_count(app, pid)
    web = logged_in(app)

    response = web.post(
        f"{page_of(pid)}/members",
        data={"name": "Eve", "email": "eve@example.org", "role": "archivaris"},
    )

    assert response.status_code == 403
    assert audit_count(app, pid) == before
    with app.read() as db:
        assert db.scalar(select(func.count()).select_from(m.Member)) == 0


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login_page(app: App) -> None:
    """Pages and forms alike redirect to /login before anything is read or changed."""
    pid = support.open_procedure(app)
    web = client(app)

    for response in (
        web.get("/procedures"),
        web.get(page_of(pid)),
        web.get(f"{page_of(pid)}/audit.csv"),
        web.post(f"{page_of(pid)}/advance", data={"csrf_token": "x"}),
    ):
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
    assert audit_count(app, pid) == 1


def test_an_unknown_procedure_gets_the_not_found_page(app: App) -> None:
    """A page for an id that does not exist is a 404 page, not an error."""
    response = logged_in(app).get("/procedures/bestaat-niet")

    assert response.status_code == 404
    assert "Niet gevonden" in response.text


def test_a_nomination_with_a_script_tag_renders_as_text(app: App) -> None:
    """A candidate entered through the form is escaped on the procedure page."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.SESSIONS)

    web = logged_in(app)
    html = submit(
        web,
        pid,
        "candidates",
        {
            "nominated_by": EXTERNAL[0][1],
            "title": "<script>alert(1)</script>",
            "start": "2020-03-01",
            "end": "",
            "description": "<b>vet</b>",
        },
    )

    listed = web.get(f"{page_of(pid)}/kandidaten").text
    for shown in (html, listed):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
        assert "<script>alert(1)" not in shown
    assert "&lt;b&gt;vet&lt;/b&gt;" in listed


def test_sessions_attendance_and_assessment_go_through_the_forms(app: App) -> None:
    """Planning a session, recording who came and assessing a candidate use the page's forms."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.SESSIONS)
    # The facilitator records the session that evening, once it has been held.
    support.run_clock_to(app, datetime(2025, 3, 10, 17, 0))
    web = logged_in(app)

    html = submit(web, pid, "sessions", {"at": "2025-03-10T14:00", "location": "Zwolle"})
    assert "Bijeenkomst gepland" in html
    with app.read() as db:
        session_id = db.scalar(select(m.ExpertSession.id))
        expert = db.scalars(select(m.Expert).where(m.Expert.email == EXTERNAL[0][1])).one()
    present = [e for _, e, _ in INTERNAL[:2] + EXTERNAL[:2]]
    html = submit(web, pid, "sessions/attend", {"session": str(session_id), "emails": present})
    assert "Aanwezigheid vastgelegd" in html and "2 intern, 2 extern" in html

    submit(
        web,
        pid,
        "candidates",
        {
            "nominated_by": expert.email,
            "title": "Terugkeer van de wolf",
            "start": "2018-01-01",
            "description": "Schapen en wolven",
        },
    )
    with app.read() as db:
        candidate = db.scalars(select(m.Candidate)).one()
    html = submit(
        web,
        pid,
        "candidates/assess",
        {
            "candidate": str(candidate.id),
            "criteria": ["1", "2"],
            "verdict": "include",
            "motivation": "Veel onrust",
        },
    )

    assert "Beoordeling vastgelegd" in html
    with app.read() as db:
        assessed = db.get(m.Candidate, candidate.id)
    assert assessed is not None and assessed.included and assessed.criteria == "1,2"


def test_experts_are_imported_from_an_uploaded_csv(app: App) -> None:
    """The upload reaches import_experts through a temporary file; the audit names the file."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    web = logged_in(app)
    token = csrf_of(web.get(page_of(pid)).text)
    content = (
        "naam;e-mail;perspectief;profiel\n"
        "Anna;anna@example.org;intern;beleid\n"
        "Bram;bram@example.org;extern;historicus\n"
    )

    response = web.post(
        f"{page_of(pid)}/experts/import",
        data={"csrf_token": token},
        files={"file": ("panel.csv", content.encode(), "text/csv")},
    )

    assert response.status_code == 303
    assert "Experts geïmporteerd" in web.get(page_of(pid)).text
    export = web.get(f"{page_of(pid)}/audit.json", params={"action": "expert.import"}).json()
    assert export["records"][0]["data"]["count"] == 2
    assert export["records"][0]["data"]["file"].endswith("panel.csv")


def test_revoking_a_link_withdraws_it_and_can_send_a_new_invitation(app: App) -> None:
    """The revoke command is audited; with "invite again" the expert gets a fresh link."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    email = EXTERNAL[0][1]
    people.invite(app, pid, [email], actor=ACTOR)
    web = logged_in(app)

    html = submit(
        web, pid, "experts/revoke", {"email": email, "reason": "gelekt", "reinvite": "yes"}
    )

    assert "Persoonlijke link ingetrokken" in html
    with app.read() as db:
        reasons = list(db.scalars(select(m.AccessLink.revoked_reason).order_by(m.AccessLink.id)))
        actions = list(db.scalars(select(m.AuditRecord.action).order_by(m.AuditRecord.seq)))
    assert reasons == ["revoked", None]
    assert actions[-2:] == ["link.revoke", "expert.invite"]

    html = submit(web, pid, "experts/revoke", {"email": INTERNAL[0][1], "reason": ""})
    assert "heeft geen geldige persoonlijke link" in html


def test_the_audit_trail_is_filtered_paged_and_exported(app: App) -> None:
    """Filters narrow the list and both exports; CSV cells cannot start a formula."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    procedures.deviate(app, pid, "panel.size", reason="=HYPERLINK(1)", actor="carla")
    web = logged_in(app)

    html = web.get(f"{page_of(pid)}/audit", params={"action": "member.add"}).text
    assert "4 records, nieuwste eerst" in html and "milestone.set</th>" not in html

    exported = web.get(f"{page_of(pid)}/audit.csv", params={"actor": "carla"})
    # For Dutch Excel: a byte-order mark, semicolons, CRLF; formulas defused.
    assert exported.content.startswith("\ufeff".encode())
    assert b"\r\n" in exported.content
    body = exported.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body, newline=""), delimiter=";"))
    assert exported.headers["content-type"].startswith("text/csv")
    assert [r["action"] for r in rows] == ["deviation.record"]
    assert rows[0]["reason"] == "'=HYPERLINK(1)"

    sheet = web.get(f"{page_of(pid)}/audit.xlsx", params={"actor": "carla"})
    assert sheet.headers["content-type"] == XLSX_MEDIA_TYPE
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    cells = [[c.value for c in row] for row in book.active.iter_rows()]
    assert cells[0][:4] == ["seq", "recorded_at", "actor", "action"]
    assert [row[3] for row in cells[1:]] == ["deviation.record"]
    # Text typed by a user stays text in the spreadsheet, never a formula.
    reason = book.active.cell(2, cells[0].index("reason") + 1)
    assert reason.data_type == "s" and reason.value == "=HYPERLINK(1)"

    everything = web.get(f"{page_of(pid)}/audit.json").json()["records"]
    assert [r["seq"] for r in everything] == list(range(1, len(everything) + 1))
    assert set(everything[0]) >= {"seq", "recorded_at", "actor", "action", "prev_hash", "hash"}
    later = web.get(f"{page_of(pid)}/audit.json", params={"from": "2025-01-07"}).json()
    assert later["records"] == []


def test_the_audit_trail_pages_fifty_records_at_a_time(app: App) -> None:
    """Newest first, fifty per page, with a link to the older ones."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.PLANNING)
    for n in range(50):
        people.add_member(
            app, pid, name=f"Lid {n}", email=f"lid{n}@example.org", role="management", actor=ACTOR
        )
    web = logged_in(app)
    total = audit_count(app, pid)

    first = web.get(f"{page_of(pid)}/audit").text
    second = web.get(f"{page_of(pid)}/audit", params={"page": "2"}).text

    assert f"<td>{total}</td>" in first and "page=2" in first
    assert "<td>1</td>" in second and f"<td>{total}</td>" not in second


def test_advice_recorded_for_the_archivist_says_so_in_the_audit_trail(app: App) -> None:
    """The facilitator's form records the advice with recorded_via "facilitator"."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    web = logged_in(app)

    html = submit(
        web,
        pid,
        "advice",
        {
            "by": "Carla (archivaris)",
            "advice": "positive",
            "reason": "",
            "ref": "CO/2025/17",
            "day": "2025-04-18",
        },
    )

    assert "Advies vastgelegd namens de archivaris" in html
    record = web.get(f"{page_of(pid)}/audit.json", params={"action": "advice.record"}).json()
    (advice,) = record["records"]
    assert advice["data"]["recorded_via"] == "facilitator"
    assert advice["data"]["positive"] is True and advice["actor"] == "sanne"
    assert (advice["data"]["ref"], advice["data"]["date"]) == ("CO/2025/17", "2025-04-18")


def test_the_decision_and_the_publication_go_through_the_forms(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adoption recorded for management, then the publication writes the public list."""
    monkeypatch.setattr(facilitator_actions, "PUBLIC_DIR", tmp_path / "publicatie")
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    web = logged_in(app)
    submit(web, pid, "advice", {"by": "Carla", "advice": "positive"})

    html = submit(
        web, pid, "decision", {"decision": "adopted", "day": "2025-05-13", "ref": "GS/2025/1"}
    )
    assert "Besluit vastgelegd" in html
    procedures.advance(app, pid, actor=ACTOR)
    support.drive_to(app, pid, Phase.PUBLICATION)

    html = submit(
        web,
        pid,
        "publish",
        {"channel": "Provinciaal Blad", "ref": "Prb. 2025, 1", "day": "2025-10-01"},
    )

    assert "Publicatie vastgelegd" in html
    assert sorted(p.suffix for p in (tmp_path / "publicatie").iterdir()) == [
        ".csv",
        ".html",
        ".json",
    ]


def test_a_form_with_a_missing_choice_is_flashed_not_crashed(app: App) -> None:
    """Leaving out the accept/decline choice gives a flash naming the field."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)

    html = submit(logged_in(app), pid, "experts/respond", {"email": INTERNAL[0][1]})

    assert "answer: kies accept of decline" in html


def test_the_lists_behind_the_procedure_page_show_people_and_deadlines(
    app: App, clock: FrozenClock
) -> None:
    """Experts with their answers, and every deadline with its state, one link away."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    people.respond(app, pid, INTERNAL[0][1], accept=False, actor=ACTOR)
    clock.advance(days=30)
    web = logged_in(app)

    html = web.get(page_of(pid)).text
    experts = web.get(f"{page_of(pid)}/deelnemers").text
    deadlines = web.get(f"{page_of(pid)}/termijnen").text

    assert "6 experts: 0 toegezegd, 1 afgezegd, 5 nog geen antwoord" in html
    assert 'class="overdue"' in html and "uitnodigingen verstuurd" in html
    assert "Ineke Intern" in experts and "afgezegd" in experts and "Carla" in experts
    assert "uitnodigingen verstuurd (3 februari 2025): over tijd, 2 dagen" in deadlines
    assert '<th scope="row">mijlpaal: uiterste datum voordrachten</th>' in deadlines


def test_the_inventory_is_recorded_through_the_forms(app: App) -> None:
    """A system per hotspot, a dossier marked for retention and a justified empty search."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.INVENTORY)
    web = logged_in(app)
    number = support.adopted_numbers(app, pid)[0]
    for system in ("Corsa", "Outlook"):
        html = submit(
            web,
            pid,
            "inventory/system",
            {"hotspot": number, "system": system, "query": "wolf", "owner": "DIV"},
        )
        assert "Informatiesysteem opgegeven" in html

    html = submit(
        web, pid, "inventory/dossier", {"hotspot": number, "system": "Corsa", "dossier": "Z-1"}
    )
    assert "Dossier gemarkeerd als blijvend bewaren" in html
    html = submit(
        web, pid, "inventory/none", {"hotspot": number, "system": "Outlook", "reason": "Geen"}
    )

    assert "Niets gevonden; reden vastgelegd" in html
    with app.read() as db:
        dossier = db.scalars(select(m.Dossier)).one()
    assert dossier.archiefnominatie == "blijvend_bewaren"


def test_a_cancelled_procedure_shows_its_reason_and_offers_no_actions(app: App) -> None:
    """Cancelling through the form ends the procedure; the page then has no forms to post."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.PLANNING)

    html = submit(logged_in(app), pid, "cancel", {"reason": "Reorganisatie"})

    assert "Procedure geannuleerd" in html
    assert '<li class="current" aria-current="step">geannuleerd' in html
    assert "Reden van annulering: Reorganisatie" in html
    assert f'action="{page_of(pid)}/' not in html

"""Document versions: made by the steps, kept unchanged, hashed in the audit trail, rendered as
PDF/A and Word, carried by the mails that ask for them and downloadable from the pages, on
SQLite and PostgreSQL (with a real SMTP server for the mail)."""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from notifications import document_store
from notifications.document_store import DocumentKind
from notifications.outbox import OUTBOX, attachment_refs
from notifications.schema import document_files, documents
from notifications.sender import send_due_blocking
from notifications.settings import MailSettings, SmtpSettings
from states.phases import Phase
from tests import support
from tests.smtp_server import SmtpTestServer
from tests.web_support import latest_link, logged_in
from workflow import documents as workflow_documents
from workflow.app import App, bootstrap
from workflow.commands import decision, procedures
from workflow.testing import FrozenClock

ADVISING = dict(by="Carla (archivaris)", actor="carla")


def _versions(app: App, pid: str) -> list[document_store.StoredVersion]:
    with app.reading() as connection:
        return document_store.versions(connection, pid)


def _of(app: App, pid: str, kind: DocumentKind) -> list[document_store.StoredVersion]:
    return [v for v in _versions(app, pid) if v.kind is kind]


def _audit_documents(app: App, pid: str, action: str) -> list[dict[str, Any]]:
    with app.reading() as connection:
        rows = connection.execute(
            select(documents.c.id).where(documents.c.procedure_id == pid)
        ).all()
        assert rows, "no document versions at all"
        from workflow.db.tables import audit_records

        found = connection.execute(
            select(audit_records.c.data)
            .where(audit_records.c.procedure_id == pid, audit_records.c.action == action)
            .order_by(audit_records.c.seq)
        ).all()
    return [
        entry
        for (data,) in found
        for entry in (json.loads(data) if isinstance(data, str) else data).get("documents", [])
    ]


def _stored_content(app: App, document_id: int) -> str:
    with app.reading() as connection:
        return str(
            connection.execute(
                select(documents.c.content).where(documents.c.id == document_id)
            ).scalar_one()
        )


def _to_decision(app: App) -> str:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    return pid


def test_entering_the_decision_phase_keeps_the_advice_request_hashed_in_the_audit_trail(
    app: App,
) -> None:
    pid = _to_decision(app)

    [request] = _of(app, pid, DocumentKind.ADVICE_REQUEST)
    assert (request.version, request.list_version) == (1, 1)
    assert _of(app, pid, DocumentKind.PROPOSAL) == []
    # The hash in the audit record of the advance is the hash of what is stored.
    content = _stored_content(app, request.id)
    assert hashlib.sha256(content.encode("utf-8")).hexdigest() == request.sha256
    assert _audit_documents(app, pid, "phase.advance") == [
        {"kind": "advice_request", "version": 1, "list_version": 1, "sha256": request.sha256}
    ]
    # The archivist's mail carries the request as PDF/A and Word.
    with app.reading() as connection:
        carried = [
            attachment_refs(row.attachments)
            for row in connection.execute(
                select(OUTBOX.c.attachments).where(
                    OUTBOX.c.procedure_id == pid, OUTBOX.c.kind == "advice_request"
                )
            )
        ]
    assert carried and all(
        [(a.document_id, a.format) for a in refs] == [(request.id, "pdf"), (request.id, "docx")]
        for refs in carried
    )


def test_positive_advice_keeps_the_proposal_dated_by_its_version_not_by_the_download(
    app: App, clock: FrozenClock
) -> None:
    pid = _to_decision(app)
    decision.record_advice(app, pid, positive=True, **ADVISING)
    [proposal] = _of(app, pid, DocumentKind.PROPOSAL)
    assert proposal.created_at == app.now()
    assert _audit_documents(app, pid, "advice.record")[0]["sha256"] == proposal.sha256

    # Weeks later the Word file still says the day the version was made.
    made_on = proposal.created_at
    clock.advance(days=40)
    word = document_store.stored_file(app.engine, proposal.id, "docx", now=app.now())
    doc = Document(io.BytesIO(word.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Voorstel hotspotlijst" in text
    assert doc.core_properties.created == made_on
    assert doc.sections[0].page_width is not None
    assert round(doc.sections[0].page_width.mm) == 210  # A4
    assert word.filename == f"voorstel-{pid}-v1.docx"


def test_the_pdf_is_pdf_a_2b_with_embedded_fonts_and_the_same_bytes_on_every_download(
    app: App,
) -> None:
    pid = _to_decision(app)
    [request] = _of(app, pid, DocumentKind.ADVICE_REQUEST)

    first = document_store.stored_file(app.engine, request.id, "pdf", now=app.now())
    again = document_store.stored_file(app.engine, request.id, "pdf", now=app.now())

    assert first.content == again.content
    assert first.sha256 == hashlib.sha256(first.content).hexdigest()
    reader = PdfReader(io.BytesIO(first.content))
    metadata = reader.xmp_metadata
    assert metadata is not None
    xmp = metadata.stream.get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(=\"|>)2", xmp), xmp[:500]
    assert re.search(r"pdfaid:conformance(=\"|>)B", xmp), xmp[:500]
    assert "/OutputIntents" in reader.trailer["/Root"]
    fonts = []
    for page in reader.pages:
        resources = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            descriptor = font.get_object().get("/FontDescriptor")
            if descriptor is None:  # a Type0 font keeps it on its descendant
                descendant = font.get_object()["/DescendantFonts"][0].get_object()
                descriptor = descendant["/FontDescriptor"]
            fonts.append(descriptor.get_object())
    assert fonts, "no fonts in the PDF"
    assert all(any(k in f for k in ("/FontFile", "/FontFile2", "/FontFile3")) for f in fonts)
    assert "Adviesaanvraag hotspotlijst" in reader.pages[0].extract_text()
    with app.reading() as connection:
        kept = connection.execute(
            select(document_files.c.format).where(document_files.c.document_id == request.id)
        ).all()
    assert [row.format for row in kept] == ["pdf"]


def test_an_unchanged_document_is_no_new_version_and_a_changed_one_keeps_the_old(
    app: App,
) -> None:
    pid = _to_decision(app)
    [first] = _of(app, pid, DocumentKind.ADVICE_REQUEST)
    old_pdf = document_store.stored_file(app.engine, first.id, "pdf", now=app.now())

    # The same content stored again (a moment later) is the version already kept.
    data = workflow_documents.proposal_data(app, pid)
    with app.transaction() as connection:
        same = document_store.store_version(
            connection,
            pid,
            DocumentKind.ADVICE_REQUEST,
            data,
            list_version=1,
            now=app.now() + timedelta(hours=1),
            by="test",
        )
    assert (same.id, same.created) == (first.id, False)

    # Negative advice sends the list back; frozen again it is list version 2: a new version.
    decision.record_advice(app, pid, positive=False, reason="De wolf hoort er niet bij", **ADVISING)
    support.SCENARIO.fill(app, pid, Phase.SESSIONS)
    procedures.advance(app, pid, actor=support.ACTOR, confirm_early=True)
    second, kept_first = _of(app, pid, DocumentKind.ADVICE_REQUEST)
    assert (second.version, second.list_version) == (2, 2)
    assert kept_first == first
    again = document_store.stored_file(app.engine, first.id, "pdf", now=app.now())
    assert again.content == old_pdf.content


def test_publication_keeps_the_public_list_and_its_mail_carries_the_pdf(
    app: App, smtp_server: SmtpTestServer
) -> None:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.PUBLICATION)
    support.publish(app, pid)
    [public] = _of(app, pid, DocumentKind.PUBLIC_LIST)
    assert public.list_version is not None

    smtp = SmtpSettings(host=smtp_server.host, port=smtp_server.port, tls="none")
    settings = MailSettings(transport="smtp", sender="hotspot@overijssel.example", smtp=smtp)
    send_due_blocking(app, settings)

    published = _received(app, smtp_server, "publication")
    assert published
    stored = document_store.stored_file(app.engine, public.id, "pdf", now=app.now())
    for got in published:
        [(name, body)] = _attachments(got.message)
        assert name == f"hotspotlijst-{pid}-v1.pdf"
        assert body == stored.content
    # The advice request and the proposal went out with PDF/A and Word; other mail bare.
    for kind, prefix in (("advice_request", "adviesaanvraag"), ("proposal", "voorstel")):
        for got in _received(app, smtp_server, kind):
            assert sorted(name for name, _ in _attachments(got.message)) == [
                f"{prefix}-{pid}-v1.docx",
                f"{prefix}-{pid}-v1.pdf",
            ]
    invitations = _received(app, smtp_server, "list_adopted")
    assert invitations and all(_attachments(got.message) == [] for got in invitations)


def _received(app: App, server: SmtpTestServer, kind: str) -> list[Any]:
    with app.reading() as connection:
        ids = set(connection.scalars(select(OUTBOX.c.message_id).where(OUTBOX.c.kind == kind)))
    assert ids, f"no {kind} mail queued"
    return [got for got in server.received if got.message_id in ids]


def _attachments(message: Any) -> list[tuple[str, bytes]]:
    return [
        (str(part.get_filename()), bytes(part.get_payload(decode=True)))
        for part in message.walk()
        if part.get_content_disposition() == "attachment"
    ]


def test_the_pages_offer_the_versions_and_guard_their_downloads(app: App) -> None:
    pid = _to_decision(app)
    [request] = _of(app, pid, DocumentKind.ADVICE_REQUEST)
    web = logged_in(app)

    page = web.get(f"/procedures/{pid}").text
    assert "Adviesaanvraag aan de archivaris" in page
    assert request.sha256 in page
    got = web.get(f"/procedures/{pid}/documenten/{request.id}/pdf")
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-sha256"] == hashlib.sha256(got.content).hexdigest()
    assert got.headers["content-disposition"] == (
        f'attachment; filename="adviesaanvraag-{pid}-v1.pdf"'
    )
    assert got.content.startswith(b"%PDF-")
    # A format the kind has not, and another procedure's number, are simply not there.
    assert web.get(f"/procedures/{pid}/documenten/{request.id}/csv").status_code == 404
    other = support.open_procedure(app, period="2010-2016")
    assert web.get(f"/procedures/{other}/documenten/{request.id}/pdf").status_code == 404

    # The archivist's link page lists the request and downloads it; a session without the
    # link gets no file at all.
    archivist = logged_in(app)
    archivist.cookies.clear()
    assert archivist.get(f"/advies/documenten/{request.id}/pdf").status_code in (401, 403)
    link = latest_link(app, "carla@org.example", "advice_request")
    advice_page = archivist.get(link, follow_redirects=True)
    assert advice_page.status_code == 200
    assert f"/advies/documenten/{request.id}/docx" in advice_page.text
    word = archivist.get(f"/advies/documenten/{request.id}/docx")
    assert word.status_code == 200
    assert Document(io.BytesIO(word.content)).paragraphs
    assert archivist.get(f"/advies/documenten/{request.id}/csv").status_code == 404
    # The archivist's session does not reach the facilitator's downloads.
    assert archivist.get(f"/procedures/{pid}/documenten/{request.id}/pdf").status_code in (
        303,
        401,
        403,
    )


def test_the_published_list_offers_its_kept_files_to_anyone(app: App) -> None:
    pid = support.open_procedure(app)
    anyone = logged_in(app)
    anyone.cookies.clear()
    assert anyone.get(f"/openbaar/{pid}/hotspotlijst.pdf").status_code == 404
    support.drive_to(app, pid, Phase.PUBLICATION)
    support.publish(app, pid)
    [public] = _of(app, pid, DocumentKind.PUBLIC_LIST)

    page = anyone.get(f"/openbaar/{pid}")
    assert page.status_code == 200
    assert f"/openbaar/{pid}/hotspotlijst.pdf" in page.text
    assert public.sha256 in page.text
    pdf = anyone.get(f"/openbaar/{pid}/hotspotlijst.pdf")
    assert pdf.status_code == 200
    assert pdf.content == (
        document_store.stored_file(app.engine, public.id, "pdf", now=app.now()).content
    )
    data = anyone.get(f"/openbaar/{pid}/hotspotlijst.json").json()
    assert [h["number"] for h in data["hotspots"]] == support.adopted_numbers(app, pid)
    # No expert's name reaches the open data.
    assert not any(name in str(data) for name, _, _ in support.INTERNAL + support.EXTERNAL)
    assert anyone.get(f"/openbaar/{pid}/hotspotlijst.docx").status_code == 404


def test_a_document_number_beyond_what_the_database_holds_is_refused_not_a_server_error(
    app: App,
) -> None:
    pid = _to_decision(app)
    web = logged_in(app)
    huge = "9" * 20
    assert web.get(f"/procedures/{pid}/documenten/{huge}/pdf").status_code == 422
    archivist = logged_in(app)
    archivist.cookies.clear()
    archivist.get(latest_link(app, "carla@org.example", "advice_request"), follow_redirects=True)
    assert archivist.get(f"/advies/documenten/{huge}/pdf").status_code == 422


def test_a_word_template_that_cannot_be_used_holds_the_mail_and_names_the_setting(
    app: App, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    """The machine, not the message: the advice request's mail waits without using up its
    tries, and the Word download says which setting to fix."""
    pid = _to_decision(app)
    broken = tmp_path / "sjabloon.docx"
    broken.write_text("geen Word-bestand", encoding="utf-8")
    settings = replace(app.settings, docx_template=broken)
    held_app = bootstrap(settings, clock=FrozenClock(app.now()))
    try:
        smtp = SmtpSettings(host=smtp_server.host, port=smtp_server.port, tls="none")
        mail = MailSettings(transport="smtp", sender="hotspot@overijssel.example", smtp=smtp)
        send_due_blocking(held_app, mail)
        with held_app.reading() as connection:
            rows = connection.execute(
                select(OUTBOX.c.status, OUTBOX.c.attempts).where(
                    OUTBOX.c.procedure_id == pid, OUTBOX.c.kind == "advice_request"
                )
            ).all()
        assert rows and all((r.status, r.attempts) == ("pending", 0) for r in rows)
        web = logged_in(held_app)
        [request] = _of(held_app, pid, DocumentKind.ADVICE_REQUEST)
        answer = web.get(f"/procedures/{pid}/documenten/{request.id}/docx")
        assert answer.status_code == 503
        assert "HOTSPOT_DOCX_TEMPLATE" in answer.text or "Word-sjabloon" in answer.text
        # The PDF needs no template: it is made and kept as ever.
        assert web.get(f"/procedures/{pid}/documenten/{request.id}/pdf").status_code == 200
    finally:
        held_app.dispose()

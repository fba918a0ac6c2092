"""Experts, the archivist and management in a real browser, through the links in real mails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from states.phases import Phase
from tests import support
from tests.e2e.axe_check import serious_violations
from tests.e2e.live_site import LiveSite
from tests.support import ACTOR, EXTERNAL, INTERNAL
from workflow import repository
from workflow.commands import people, procedures
from workflow.db import models as m

HANNA = EXTERNAL[0]
SCRIPT_TITLE = "<script>window.hacked = 1</script>Wateroverlast 2021"


def _open(page: Any, link: str) -> None:
    """Open a personal link and check that its token left the address bar."""
    page.goto(link)
    assert "/expert/" not in page.url and "/advies/" not in page.url and "/besluit/" not in page.url


def test_an_expert_accepts_and_nominates_through_the_links_in_their_mail(
    site: LiveSite, new_page: Any
) -> None:
    """Invitation link: accept; call-for-nominations link: nominate; a script stays text."""
    app = site.app
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    people.invite(app, pid, [], actor=ACTOR)
    site.deliver()

    page = new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _open(page, site.links_to(HANNA[1])[-1])
    assert page.get_by_role("heading", level=1).inner_text().startswith("Uw deelname")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Ik neem deel").click()
    assert "u hebt toegezegd" in page.locator(".answer").inner_text()

    for _, email, _ in INTERNAL + EXTERNAL[1:]:
        people.respond(app, pid, email, accept=True, actor=ACTOR)
    procedures.advance(app, pid, actor=ACTOR)  # to the sessions: the call for nominations
    site.deliver()

    _open(page, site.links_to(HANNA[1])[-1])
    page.get_by_label("Naam van de hotspot").fill(SCRIPT_TITLE)
    page.get_by_label("Begin van de periode").fill("2021-07-14")
    page.get_by_label("Beschrijving", exact=False).first.fill(
        "Hoogwater in de Vecht; <b>evacuaties</b> in Dalfsen."
    )
    page.get_by_label("Criterium 1", exact=False).first.check()
    page.get_by_role("button", name="Voordracht versturen").click()

    heading = page.locator("article.nomination h3")
    assert heading.inner_text() == SCRIPT_TITLE
    assert page.evaluate("window.hacked") is None and dialogs == []
    assert "<b>evacuaties</b>" in page.locator("article.nomination .description").inner_text()
    assert serious_violations(page) == []
    with app.read() as db:
        stored = db.scalars(select(m.Candidate.title)).all()
    assert stored == [SCRIPT_TITLE]


def test_an_expert_link_is_refused_on_a_facilitator_page(site: LiveSite, new_page: Any) -> None:
    """An expert's session opens neither the procedure page nor the dashboard."""
    app = site.app
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    people.invite(app, pid, [], actor=ACTOR)
    site.deliver()
    page = new_page()
    _open(page, site.links_to(HANNA[1])[-1])
    for path in (f"/procedures/{pid}", "/procedures", "/mail", f"/procedures/{pid}/audit"):
        response = page.goto(f"{site.url}{path}")
        assert response is not None and response.status == 403, path
        assert "Geen toegang" in page.get_by_role("heading", level=1).inner_text()
    assert serious_violations(page) == []


def test_the_archivist_advises_and_management_adopts_through_their_links(
    site: LiveSite, new_page: Any
) -> None:
    """Advice and adoption recorded in the browser, each from its own mailed link."""
    app = site.app
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    site.deliver()

    archivist = new_page()
    _open(archivist, site.links_to("carla@org.example", "/advies/")[-1])
    assert "COVID-19-pandemie" in archivist.content()
    assert serious_violations(archivist) == []
    archivist.get_by_label("Positief", exact=False).check()
    archivist.get_by_label("Kenmerk van de adviesbrief").fill("CO/2025/117")
    archivist.get_by_label("Datum van de adviesbrief").fill("2025-05-02")
    archivist.get_by_role("button", name="Advies vastleggen").click()
    assert "is vastgelegd" in archivist.content()
    assert serious_violations(archivist) == []
    site.deliver()

    management = new_page()
    _open(management, site.links_to("dirk@org.example", "/besluit/")[-1])
    assert serious_violations(management) == []
    # The nota: the proposal's kept version, downloaded from the page, the same bytes the
    # proposal mail carried.
    documents = management.locator("section[aria-labelledby=documenten]")
    assert "Voorstel aan het bestuursorgaan, versie 1" in documents.inner_text()
    with management.expect_download() as download_info:
        documents.locator("li", has_text="Voorstel").get_by_role("link", name="PDF/A").click()
    download = download_info.value
    assert download.suggested_filename == f"voorstel-{pid}-v1.pdf"
    downloaded = Path(download.path()).read_bytes()
    assert downloaded.startswith(b"%PDF-")
    assert downloaded in site.attachments_to("dirk@org.example")
    management.get_by_label("Vastgesteld", exact=False).check()
    management.get_by_label("Datum van het besluit").fill("2025-05-13")
    management.get_by_label("Kenmerk van het besluit").fill("GS/2025/0412")
    management.get_by_role("button", name="Besluit vastleggen").click()
    # Adopting is final: a summary first, then the second click.
    assert "Dit kan niet ongedaan worden gemaakt" in management.content()
    assert serious_violations(management) == []
    management.get_by_role("button", name="Bevestigen en vastleggen").click()
    assert serious_violations(management) == []
    with app.read() as db:
        adopted = repository.latest_list_version(db, pid)
        records = db.scalars(
            select(m.AuditRecord)
            .where(m.AuditRecord.action.in_(["advice.record", "decision.record"]))
            .order_by(m.AuditRecord.seq)
        ).all()
    assert adopted is not None and adopted.status == "adopted"
    assert (adopted.advice_ref, adopted.decision_ref) == ("CO/2025/117", "GS/2025/0412")
    assert [(r.data["recorded_via"], r.actor.split(":")[0]) for r in records] == [
        ("link", "archivaris"),
        ("link", "management"),
    ]

"""The facilitator in a real browser: a refused step with its reasons, a deviation, onwards."""

from __future__ import annotations

from typing import Any

from states.phases import Phase
from tests import support
from tests.e2e.axe_check import serious_violations
from tests.e2e.live_site import LiveSite
from tests.support import ACTOR, EXTERNAL, INTERNAL
from tests.web_support import PASSWORD, ensure_user
from workflow.commands import people, procedures

EXTRA_INTERNAL = ("Eva Intern", "eva@provincie.example", "communicatie")
PANEL = [(*e, "internal") for e in [*INTERNAL, EXTRA_INTERNAL]] + [
    (*e, "external") for e in EXTERNAL[:2]
]


def _unbalanced_panel(site: LiveSite) -> str:
    """A procedure in expert selection whose panel leans on the government side (2 of 6)."""
    app = site.app
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    for name, email, profile, side in PANEL:
        people.add_expert(
            app, pid, name=name, email=email, perspective=side, profile=profile, actor=ACTOR
        )
        people.respond(app, pid, email, accept=True, actor=ACTOR)
    return pid


def _log_in(page: Any, site: LiveSite) -> None:
    ensure_user(site.app)
    page.goto(f"{site.url}/login")
    page.get_by_label("Gebruikersnaam").fill("sanne")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{site.url}/procedures")


def test_a_refusal_shows_its_reasons_and_a_deviation_lets_the_procedure_advance(
    site: LiveSite, new_page: Any
) -> None:
    """Advance is refused with rule codes and figures; two deviations later it goes through."""
    pid = _unbalanced_panel(site)
    page = new_page()
    _log_in(page, site)
    assert serious_violations(page) == []
    page.get_by_role("link", name=pid).click()
    assert serious_violations(page) == []

    page.get_by_role("button", name="Door naar expertbijeenkomsten").click()
    # An irreversible step: a summary page first, then the deliberate second click.
    assert "Wat er gebeurt" in page.content()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Bevestigen en vastleggen").click()
    refusal = page.locator(".flash-error")
    # The rule codes are folded into the facilitator's details: read them with the text.
    text = refusal.text_content() or ""
    assert "panel.external_share" in text and "2 van 6 experts extern (33%)" in text
    assert "panel.external_profiles" in text and "maatschappelijke-organisatie" in text
    assert Phase(procedures.status(site.app, pid).phase) is Phase.EXPERT_SELECTION

    for rule in ("panel.external_share", "panel.external_profiles"):
        blocker = page.locator("ul.blockers > li", has=page.locator("code", has_text=rule))
        blocker.locator("summary").click()
        blocker.get_by_label("Reden van de afwijking").fill(
            f"Afweging werkgroep voor {rule}: de externe inbreng komt schriftelijk."
        )
        blocker.get_by_role("button", name="Afwijking vastleggen").click()
        assert "fwijking" in page.locator(".flash-success").inner_text()
        assert page.locator("ul.blockers code", has_text=rule).count() == 0

    page.get_by_role("button", name="Door naar expertbijeenkomsten").click()
    page.get_by_role("button", name="Bevestigen en vastleggen").click()
    assert page.locator(".flash-success").count() == 1
    assert Phase(procedures.status(site.app, pid).phase) is Phase.SESSIONS
    current = page.locator("[aria-current=step]").inner_text()
    assert "expertbijeenkomsten" in current.lower()
    assert serious_violations(page) == []


def test_every_facilitator_page_passes_axe(site: LiveSite, new_page: Any) -> None:
    """Dashboard, procedure page, sub-pages, audit trail and the statement: no serious issues."""
    app = site.app
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    page = new_page()
    _log_in(page, site)
    paths = [
        "/procedures",
        f"/procedures/{pid}",
        f"/procedures/{pid}/audit",
        f"/procedures/{pid}/termijnen",
        f"/procedures/{pid}/deelnemers",
        f"/procedures/{pid}/kandidaten",
        "/mail",
        "/toegankelijkheid",
        "/procedures/bestaat-niet",
    ]
    for language in ("nl", "en"):
        page.goto(f"{site.url}/taal/{language}?next=/procedures")
        for path in paths:
            page.goto(f"{site.url}{path}")
            assert serious_violations(page) == [], (language, path)

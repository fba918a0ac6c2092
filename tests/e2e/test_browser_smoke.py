"""The login page in a real browser: a wrong password is refused, a right one lets you in."""

from __future__ import annotations

from typing import Any

from tests.e2e.axe_check import serious_violations
from tests.e2e.live_site import LiveSite
from tests.web_support import PASSWORD, ensure_user


def test_a_wrong_password_is_refused_and_the_right_one_opens_the_dashboard(
    site: LiveSite, new_page: Any
) -> None:
    """The login form says the password was wrong, then lets the right one through."""
    ensure_user(site.app)
    page = new_page()
    page.goto(f"{site.url}/login")
    assert serious_violations(page) == []
    page.get_by_label("Gebruikersnaam").fill("sanne")
    page.get_by_label("Wachtwoord").fill("wrong-password-here")
    page.get_by_role("button", name="Inloggen").click()
    assert "Onjuiste gebruikersnaam of wachtwoord" in page.locator("[role=alert]").inner_text()
    # The refusal is the same page whatever was typed: the name is not echoed back.
    assert page.get_by_label("Gebruikersnaam").input_value() == ""
    page.get_by_label("Gebruikersnaam").fill("sanne")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{site.url}/procedures")
    cookie = next(c for c in page.context.cookies() if c["name"] == "hotspot_session")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"

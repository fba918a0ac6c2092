"""Signing in through a real OpenID Connect provider (the certified npm `oidc-provider`).

`hotspot serve` runs as its own process, configured through the environment as an
installation would be (HOTSPOT_OIDC_*), and the provider runs in node beside it. The tests
drive the sign-in with httpx as a browser does: our "Inloggen via" link, the provider's login
and consent forms, the redirect back with the code; no part of the flow is simulated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import select

from tests import support
from tests.e2e.axe_check import serious_violations
from tests.e2e.oidc_provider import CLIENT_ID, CLIENT_SECRET, provider, sign_in_at_provider
from tests.e2e.served import served
from tests.smtp_server import free_port
from workflow.app import App, bootstrap
from workflow.db import models as m
from workflow.settings import Settings

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Site:
    app: App
    base: str
    issuer: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The served app and the provider, for the whole module (each starts in a second)."""
    folder: Path = tmp_path_factory.mktemp("oidc")
    url = f"sqlite:///{folder / 'oidc.db'}"
    app = bootstrap(Settings(url, "nl", None))
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    environment = {
        "HOTSPOT_OIDC_ISSUER": issuer,
        "HOTSPOT_OIDC_CLIENT_ID": CLIENT_ID,
        "HOTSPOT_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "HOTSPOT_OIDC_ORGANISATION": "Provincie Overijssel",
        "HOTSPOT_OIDC_UNKNOWN_USERS": "create",
    }
    try:
        with (
            served(url, folder, **environment) as server,
            provider(port, f"{server.base}/login/oidc/callback"),
        ):
            yield Site(app, server.base, issuer)
    finally:
        app.dispose()


def _browser() -> httpx.Client:
    return httpx.Client(timeout=30)


def _account(app: App, subject: str) -> tuple[str, str, str | None] | None:
    with app.read() as db:
        row = db.execute(
            select(m.User.username, m.User.role, m.User.oidc_issuer).where(
                m.User.oidc_subject == subject
            )
        ).first()
    return None if row is None else (str(row[0]), str(row[1]), row[2])


def test_the_login_page_offers_the_provider_beside_the_password(site: Site) -> None:
    page = _browser().get(f"{site.base}/login").text
    assert "Inloggen via Provincie Overijssel" in page
    assert 'name="password"' in page  # password login stays unless switched off


def test_a_facilitator_signs_in_and_gets_the_role_of_the_claim(site: Site) -> None:
    """pb-sanne: made at the first sign-in as procesbegeleider, linked by issuer and subject."""
    browser = _browser()
    page = sign_in_at_provider(browser, site.base, "pb-sanne")
    assert isinstance(page, httpx.Response)
    assert page.status_code == 200 and str(page.url) == f"{site.base}/procedures"
    assert "Sanne de Procesbegeleider" in page.text
    assert _account(site.app, "pb-sanne") == ("pb-sanne", "procesbegeleider", site.issuer)
    me = browser.get(f"{site.base}/api/session").json()
    assert me["user"] == {"username": "pb-sanne", "name": "Sanne de Procesbegeleider"}


def test_an_information_manager_signs_in_and_cannot_advance_a_phase(site: Site) -> None:
    """ib-anna reads the procedure, but advancing it answers 403 naming the procesbegeleider."""
    pid = support.open_procedure(site.app)
    browser = _browser()
    page = sign_in_at_provider(browser, site.base, "ib-anna")
    assert isinstance(page, httpx.Response) and page.status_code == 200
    assert _account(site.app, "ib-anna") == ("ib-anna", "informatiebeheerder", site.issuer)
    procedure = browser.get(f"{site.base}/procedures/{pid}")
    assert procedure.status_code == 200
    token = CSRF.search(procedure.text)
    assert token
    refused = browser.post(
        f"{site.base}/api/procedures/{pid}/advance", headers={"X-CSRF-Token": token.group(1)}
    )
    assert refused.status_code == 403
    assert refused.json()["message"].startswith(
        "‘Naar de volgende fase’ mag alleen een procesbegeleider doen; u bent ingelogd als "
        "informatiebeheerder"
    )
    form = browser.post(
        f"{site.base}/procedures/{pid}/advance", data={"csrf_token": token.group(1)}
    )
    assert form.status_code == 403 and "mag alleen een procesbegeleider" in form.text
    with site.app.read() as db:
        assert db.scalar(select(m.Procedure.phase).where(m.Procedure.id == pid)) == "preparation"


def test_a_callback_with_another_state_is_refused(site: Site) -> None:
    """The provider's redirect back, with its state changed: refused, nobody signed in."""
    browser = _browser()
    callback = sign_in_at_provider(
        browser, site.base, "pb-sanne", stop=f"{site.base}/login/oidc/callback"
    )
    assert isinstance(callback, str), "the provider did not send the browser back"
    query = parse_qs(urlsplit(callback).query)
    assert query["state"] and query["code"]
    forged = f"{site.base}/login/oidc/callback?" + urlencode(
        {"code": query["code"][0], "state": query["state"][0] + "x"}
    )
    answer = browser.get(forged)
    assert answer.status_code == 401
    assert "de state klopt niet" in answer.text
    assert browser.get(f"{site.base}/api/session").status_code == 401
    # The genuine callback in another browser (no state of its own) is refused too.
    other = _browser().get(callback)
    assert other.status_code == 401 and "de state klopt niet" in other.text


def test_a_user_without_a_role_claim_is_refused_in_dutch(site: Site) -> None:
    """geen-rol signs in at the provider, but gets no account and no session here."""
    browser = _browser()
    page = sign_in_at_provider(browser, site.base, "geen-rol")
    assert isinstance(page, httpx.Response)
    assert page.status_code == 401
    assert (
        "Uw identiteitsprovider geeft u geen rol voor de hotspotmonitor (claim hotspot_role)"
        in page.text
    )
    assert _account(site.app, "geen-rol") is None
    assert browser.get(f"{site.base}/api/session").status_code == 401


def test_a_provider_that_names_another_issuer_is_refused(tmp_path: Path) -> None:
    """Configured as localhost, the provider's metadata says 127.0.0.1: no redirect to it."""
    url = f"sqlite:///{tmp_path / 'other.db'}"
    bootstrap(Settings(url, "nl", None)).dispose()
    port = free_port()
    with (
        served(
            url,
            tmp_path,
            HOTSPOT_OIDC_ISSUER=f"http://localhost:{port}",
            HOTSPOT_OIDC_CLIENT_ID=CLIENT_ID,
            HOTSPOT_OIDC_CLIENT_SECRET=CLIENT_SECRET,
        ) as server,
        provider(port, f"{server.base}/login/oidc/callback"),
    ):
        answer = _browser().get(f"{server.base}/login/oidc")
    assert answer.status_code == 401
    assert "de provider noemt een andere issuer dan ingesteld" in answer.text


def test_an_archivist_signs_in_with_the_browser(site: Site, new_page: Any) -> None:
    """Chromium: the button on our login page, the provider's pages, back on the dashboard."""
    page = new_page()
    page.goto(f"{site.base}/login")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Inloggen via Provincie Overijssel").click()
    page.locator("input[name=login]").fill("ar-piet")
    page.locator("input[name=password]").fill("wat-dan-ook")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{site.base}/procedures")
    assert "Piet de Archivaris" in page.locator("header").inner_text()
    assert _account(site.app, "ar-piet") == ("ar-piet", "archivaris", site.issuer)

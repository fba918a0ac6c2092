"""The web app's defaults: security headers, cookie flags, CSRF, local redirects only."""

from __future__ import annotations

from tests.web_support import PASSWORD, client, ensure_user, session_csrf
from workflow.app import App


def test_every_page_carries_the_security_headers(app: App) -> None:
    """A strict CSP, no sniffing, no framing and no referrer leave with each page."""
    response = client(app).get("/login")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_the_session_cookie_is_http_only_and_same_site(app: App) -> None:
    """The cookie a login sets cannot be read by script nor sent by another site's form."""
    ensure_user(app)
    web = client(app)
    response = web.post(
        "/login",
        data={"csrf_token": session_csrf(web), "username": "sanne", "password": PASSWORD},
    )
    cookie = response.headers["set-cookie"].lower()
    assert "hotspot_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_a_forged_csrf_token_is_refused_even_when_it_is_not_ascii(app: App) -> None:
    """A wrong token, ASCII or not, gets 403 and logs nobody in."""
    ensure_user(app)
    web = client(app)
    session_csrf(web)
    for forged in ("x" * 43, "é" * 10):
        response = web.post(
            "/login", data={"csrf_token": forged, "username": "sanne", "password": PASSWORD}
        )
        assert response.status_code == 403
    assert web.get("/procedures").status_code == 303  # still not logged in: to the login page


def test_redirect_targets_stay_on_this_site(app: App) -> None:
    """A `next` that points elsewhere is replaced by a page of this site."""
    web = client(app)
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = web.get("/taal/en", params={"next": target})
        assert response.status_code == 303
        assert response.headers["location"] == "/"


def test_the_language_switch_turns_pages_english(app: App) -> None:
    """After /taal/en the login page speaks English; /taal/nl turns it back."""
    web = client(app)
    web.get("/taal/en", params={"next": "/login"})
    assert "Log in as facilitator" in web.get("/login").text
    web.get("/taal/nl", params={"next": "/login"})
    assert "Inloggen als procesbegeleider" in web.get("/login").text


def test_the_accessibility_statement_is_public(app: App) -> None:
    """/toegankelijkheid needs no login and names the standard."""
    page = client(app).get("/toegankelijkheid")
    assert page.status_code == 200 and "WCAG" in page.text and "2.1" in page.text

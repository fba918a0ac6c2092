"""Sessions live on the server: logout, a new password or a disabled account really end them."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from tests.conftest import START
from tests.e2e.live_site import LiveSite, start_live_site
from tests.e2e.served import CSRF, form_login
from tests.web_support import FACILITATOR, PASSWORD
from workflow import users
from workflow.db import models as m
from workflow.testing import FrozenClock


@pytest.fixture
def site(database_url: str) -> Iterator[LiveSite]:
    live = start_live_site(database_url, FrozenClock(START))
    users.add_user(live.app, username=FACILITATOR, name="Sanne de Vries", password=PASSWORD)
    yield live
    live.stop()


def _logged_in(site: LiveSite) -> httpx.Client:
    client = httpx.Client(base_url=site.url)
    assert form_login(client, FACILITATOR, PASSWORD).status_code == 303
    return client


def _copy(client: httpx.Client, site: LiveSite) -> httpx.Client:
    """Another client holding the same session cookie, as a copied cookie would."""
    thief = httpx.Client(base_url=site.url)
    thief.cookies.set("hotspot_session", client.cookies["hotspot_session"])
    return thief


def _sees_dashboard(client: httpx.Client) -> bool:
    answer = client.get("/procedures")
    return answer.status_code == 200


def test_a_cookie_copied_before_logout_is_refused_after_it(site: LiveSite) -> None:
    """Logout deletes the session on the server: the copy gets the login page, not the data."""
    client = _logged_in(site)
    thief = _copy(client, site)
    assert _sees_dashboard(thief)
    token = CSRF.search(client.get("/procedures").text)
    assert token
    assert client.post("/logout", data={"csrf_token": token.group(1)}).status_code == 303
    refused = thief.get("/procedures")
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    api = thief.get("/api/session")
    assert api.status_code == 401
    with site.app.read() as db:
        assert (
            db.scalar(
                select(func.count())
                .select_from(m.WebSession)
                .where(m.WebSession.user_id.is_not(None))
            )
            == 0
        )


def test_a_session_ends_after_30_idle_minutes_and_after_8_hours(site: LiveSite) -> None:
    """Moving the app's clock: 29 idle minutes are fine, 31 are not; 8 hours end any session."""
    client = _logged_in(site)
    site.clock.advance(minutes=29)
    assert _sees_dashboard(client)
    site.clock.advance(minutes=31)
    assert not _sees_dashboard(client)
    busy = _logged_in(site)
    for _ in range(16):  # a request every 29 minutes: never idle, 7 h 44 min in all
        site.clock.advance(minutes=29)
        assert _sees_dashboard(busy)
    site.clock.advance(minutes=17)
    assert not _sees_dashboard(busy)


def test_a_new_password_ends_every_session_of_the_account(site: LiveSite) -> None:
    """Changed on the password page: the other browser is out, this one stays in."""
    here, elsewhere = _logged_in(site), _logged_in(site)
    page = here.get("/wachtwoord")
    token = CSRF.search(page.text)
    assert page.status_code == 200 and token
    new = "vier-losse-ongewone-woorden"
    changed = here.post(
        "/wachtwoord",
        data={
            "csrf_token": token.group(1),
            "current": PASSWORD,
            "new_password": new,
            "repeat": new,
        },
    )
    assert changed.status_code == 303, changed.text
    assert _sees_dashboard(here)
    assert not _sees_dashboard(elsewhere)
    again = httpx.Client(base_url=site.url)
    assert form_login(again, FACILITATOR, PASSWORD).status_code == 401
    assert form_login(again, FACILITATOR, new).status_code == 303


def test_the_password_page_refuses_a_wrong_current_and_a_weak_new_password(
    site: LiveSite,
) -> None:
    """The current password must be right; `aaaaaaaaaaaa` is refused naming its rule."""
    client = _logged_in(site)

    def change(current: str, new: str) -> httpx.Response:
        token = CSRF.search(client.get("/wachtwoord").text)
        assert token
        return client.post(
            "/wachtwoord",
            data={
                "csrf_token": token.group(1),
                "current": current,
                "new_password": new,
                "repeat": new,
            },
        )

    wrong = change("niet-het-wachtwoord", "vier-losse-ongewone-woorden")
    assert wrong.status_code == 422 and "huidige wachtwoord klopt niet" in wrong.text
    weak = change(PASSWORD, "aaaaaaaaaaaa")
    assert weak.status_code == 422 and "password.distinct" in weak.text
    assert _sees_dashboard(client)


def test_disabling_an_account_ends_its_sessions_at_once(site: LiveSite) -> None:
    """`user disable` logs the account out everywhere; `enable` lets it log in again."""
    client = _logged_in(site)
    users.set_disabled(site.app, FACILITATOR, True, actor="test")
    assert not _sees_dashboard(client)
    assert form_login(httpx.Client(base_url=site.url), FACILITATOR, PASSWORD).status_code == 401
    users.set_disabled(site.app, FACILITATOR, False, actor="test")
    assert form_login(httpx.Client(base_url=site.url), FACILITATOR, PASSWORD).status_code == 303


def test_the_cookie_holds_only_a_random_id(site: LiveSite) -> None:
    """No role, name or token in the cookie: 43 URL-safe characters; the table keeps a hash."""
    client = _logged_in(site)
    value = client.cookies["hotspot_session"]
    assert len(value) == 43 and FACILITATOR not in value
    with site.app.read() as db:
        hashes = set(db.scalars(select(m.WebSession.id_hash)))
    assert value not in hashes and all(len(h) == 64 for h in hashes)

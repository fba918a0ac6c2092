"""Helpers for the web tests: a client over the real app, a logged-in facilitator, CSRF."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from notifications.sealed import Sealer
from workflow import users
from workflow.app import App
from workflow.db import models as m
from workflow.keys import KeyUse
from workflow.web import create_app

FACILITATOR = "sanne"
PASSWORD = "paarse-olifant-fietst-snel"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def client(app: App) -> TestClient:
    return TestClient(create_app(app), follow_redirects=False)


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def session_csrf(web: TestClient) -> str:
    """The session's CSRF token, as the login page's form carries it."""
    return csrf_of(web.get("/login").text)


def ensure_user(app: App, username: str = FACILITATOR) -> None:
    with app.read() as db:
        known = db.scalar(select(m.User.id).where(m.User.username == username))
    if known is None:
        users.add_user(app, username=username, name="Sanne Procesbegeleider", password=PASSWORD)


def logged_in(app: App, username: str = FACILITATOR) -> TestClient:
    """A client with a facilitator session (the account is made if it is not there yet)."""
    ensure_user(app, username)
    web = client(app)
    response = web.post(
        "/login",
        data={
            "csrf_token": session_csrf(web),
            "username": username,
            "password": PASSWORD,
            "next": "/",
        },
    )
    assert response.status_code == 303, response.text
    return web


def post_form(web: TestClient, path: str, data: dict[str, str | list[str]], page: str) -> Response:
    """Post a form the way a browser does: with the CSRF token from `page`'s form."""
    token = csrf_of(web.get(page).text)
    return web.post(path, data={**data, "csrf_token": token})


_LINK = re.compile(r"https?://[^\s/]+(/(?:expert|advies|besluit)/[A-Za-z0-9_.\-]+)")


def open_sealed(app: App, sealed: str) -> str:
    """A queued mail's personal link, opened with the outbox keys as the sender opens it."""
    link = Sealer(app.keys.derive(KeyUse.OUTBOX)).open(sealed)
    assert link is not None, "the outbox keys do not open this link"
    return link


def latest_link(app: App, email: str, kind: str) -> str:
    """The path of the personal link of the newest queued mail of `kind` to `email`.

    The stored body holds only a placeholder; the link waits sealed beside it until the mail
    is sent, exactly what the sender puts into the delivered message.
    """
    with app.read() as db:
        row = db.execute(
            select(m.OutboxMessage.body_text, m.OutboxMessage.link_secret)
            .where(m.OutboxMessage.recipient_email == email, m.OutboxMessage.kind == kind)
            .order_by(m.OutboxMessage.id.desc())
        ).first()
    assert row is not None, f"no {kind} mail to {email}"
    assert _LINK.search(row.body_text) is None, f"a personal link in the stored {kind} body"
    assert row.link_secret is not None, f"no personal link waiting with the {kind} mail"
    found = _LINK.search(open_sealed(app, row.link_secret))
    assert found, f"no personal link in the {kind} mail"
    return found.group(1).rstrip(".")

"""Named accounts with roles: procesbegeleider, informatiebeheerder, archivaris, on both databases.

The informatiebeheerder and the archivaris read every page and do the inventory; every other
write of the web app and the API refuses them with 403 and a Dutch reason naming the role
that may. A role set with `hotspot user role` holds from the account's next request.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from states.errors import InvalidInput
from states.phases import Phase
from tests import support
from tests.conftest import POSTGRES_ENV
from tests.web_support import PASSWORD, client, csrf_of, session_csrf
from workflow import users
from workflow.app import App
from workflow.db import models as m
from workflow.db.engine import _alembic_config, make_engine, normalise_url
from workflow.web.access import write_roles
from workflow.web_settings import OidcSettings

ANNA, PIET, SANNE = "anna", "piet", "sanne"
REFUSED_ADVANCE = (
    "‘Naar de volgende fase’ mag alleen een procesbegeleider doen; u bent ingelogd als "
    "informatiebeheerder"
)


def _account(app: App, username: str, role: str) -> None:
    users.add_user(app, username=username, name=username.title(), password=PASSWORD, role=role)


def _login(app: App, username: str) -> TestClient:
    web = client(app)
    answer = web.post(
        "/login",
        data={
            "csrf_token": session_csrf(web),
            "username": username,
            "password": PASSWORD,
            "next": "/",
        },
    )
    assert answer.status_code == 303, answer.text
    return web


def _all_routes() -> list[Any]:
    """Every route the web app registers (workflow.web.routes.register), with its full path."""
    from workflow.web.routes import (
        api,
        auth,
        facilitator,
        facilitator_actions,
        mailbox,
        pages,
        portal,
        steps,
    )

    modules = (pages, auth, facilitator, facilitator_actions, mailbox, portal, steps, api)
    return [route for module in modules for route in module.router.routes]


def _phase(app: App, pid: str) -> str:
    with app.read() as db:
        return str(db.scalar(select(m.Procedure.phase).where(m.Procedure.id == pid)))


def _token(web: TestClient) -> str:
    return csrf_of(web.get("/procedures").text)


def test_accounts_get_a_role_and_an_unknown_role_is_refused_in_dutch(app: App) -> None:
    """`add_user` stores the role; the default is procesbegeleider; a wrong word lists all three."""
    _account(app, ANNA, "informatiebeheerder")
    users.add_user(app, username=SANNE, name="Sanne", password=PASSWORD)
    with app.read() as db:
        roles = {str(u): str(r) for u, r in db.execute(select(m.User.username, m.User.role))}
    assert roles == {ANNA: "informatiebeheerder", SANNE: "procesbegeleider"}
    with pytest.raises(InvalidInput) as refused:
        users.add_user(app, username=PIET, name="Piet", password=PASSWORD, role="directeur")
    assert refused.value.explain() == (
        "role: kies een van de rollen procesbegeleider, informatiebeheerder, archivaris"
    )
    assert users.authenticate(app, ANNA, PASSWORD).role is users.AccountRole.INFORMATION_MANAGER


def test_reads_are_open_to_all_three_roles(app: App) -> None:
    """Dashboard, procedure page, audit trail, mail and the API reads answer every account."""
    pid = support.open_procedure(app)
    for username, role in (
        (ANNA, "informatiebeheerder"),
        (PIET, "archivaris"),
        (SANNE, "procesbegeleider"),
    ):
        _account(app, username, role)
        web = _login(app, username)
        for path in ("/procedures", f"/procedures/{pid}", f"/procedures/{pid}/audit", "/mail"):
            assert web.get(path).status_code == 200, (username, path)
        assert web.get(f"/api/procedures/{pid}").status_code == 200
        assert web.get("/api/session").json()["user"]["username"] == username


def test_an_information_manager_cannot_advance_a_phase_form_or_api(app: App) -> None:
    """403 with the Dutch reason, on the page's form and through the API; nothing changes."""
    pid = support.open_procedure(app)
    _account(app, ANNA, "informatiebeheerder")
    web = _login(app, ANNA)
    token = _token(web)
    page = web.post(f"/procedures/{pid}/advance", data={"csrf_token": token})
    assert page.status_code == 403
    assert REFUSED_ADVANCE in page.text.replace("&#39;", "'")
    api = web.post(f"/api/procedures/{pid}/advance", headers={"X-CSRF-Token": token})
    assert api.status_code == 403
    assert REFUSED_ADVANCE in api.json()["message"]
    english = web.post(
        f"/api/procedures/{pid}/advance?lang=en", headers={"X-CSRF-Token": token}
    ).json()["message"]
    assert "may only be done by a facilitator; you are logged in as information manager" in english
    assert _phase(app, pid) == "preparation"


def test_every_write_route_checks_the_role_against_its_declaration(app: App) -> None:
    """Each POST/PUT/PATCH/DELETE route of the web app and the API, as an informatiebeheerder
    with a valid CSRF token: 403 naming the role, unless the route's command declares the
    informatiebeheerder (the inventory) or it is the account's own session or password."""
    pid = support.open_procedure(app)
    _account(app, ANNA, "informatiebeheerder")
    web = _login(app, ANNA)
    token = _token(web)
    allowed = {key for key, (roles, _) in write_roles().items() if "information_manager" in roles}
    assert ("POST", "/api/procedures/{pid}/inventory/systems") in allowed
    assert ("POST", "/procedures/{pid}/inventory/dossier") in allowed
    checked = 0
    for route in _all_routes():
        path: str = route.path
        if path.startswith(("/portaal", "/advies", "/besluit", "/expert", "/login", "/taal")):
            continue  # link holders' and visitors' routes: no account role applies
        for method in sorted(set(route.methods) - {"GET", "HEAD"}):
            if path == "/api/session" or (method, path) == ("POST", "/logout"):
                continue  # logging in or out: no role needed, and it would end this session
            url = re.sub(r"\{(\w+)\}", lambda hole: pid if hole.group(1) == "pid" else "1", path)
            answer = web.request(
                method,
                url,
                data=None if path.startswith("/api") else {"csrf_token": token},
                headers={"X-CSRF-Token": token},
            )
            if (method, path) in allowed:
                assert answer.status_code != 403, (method, path, answer.text[:300])
            else:
                assert answer.status_code == 403, (method, path, answer.status_code)
                assert "mag alleen een procesbegeleider" in answer.text, (method, path)
                assert "u bent ingelogd als informatiebeheerder" in answer.text, (method, path)
            checked += 1
    assert checked > 30


def test_the_inventory_is_done_by_an_archivist_and_the_trail_names_them(app: App) -> None:
    """An archivaris lists a system through the page's form: recorded, with their name."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.INVENTORY)
    number = support.adopted_numbers(app, pid)[0]
    _account(app, PIET, "archivaris")
    web = _login(app, PIET)
    answer = web.post(
        f"/procedures/{pid}/inventory/system",
        data={
            "csrf_token": _token(web),
            "hotspot": number,
            "system": "Corsa",
            "query": "zaaktype 12",
            "owner": "DIV",
        },
    )
    assert answer.status_code == 303, answer.text
    shown = web.get(answer.headers["location"]).text
    assert "Informatiesysteem opgegeven" in shown, shown[shown.find("flash") :][:600]
    with app.read() as db:
        actors = (
            db.execute(
                select(m.AuditRecord.actor).where(
                    m.AuditRecord.procedure_id == pid, m.AuditRecord.action == "inventory.system"
                )
            )
            .scalars()
            .all()
        )
    assert actors == [PIET]
    trail = web.get(f"/procedures/{pid}/audit").text
    assert "Piet" in trail or PIET in trail


def test_a_new_role_holds_from_the_next_request(app: App) -> None:
    """`set_role`: the same session may advance at once; given another role, it may not."""
    pid = support.open_procedure(app)
    support.fill_workgroup(app, pid)
    _account(app, ANNA, "informatiebeheerder")
    web = _login(app, ANNA)
    token = _token(web)
    assert (
        web.post(f"/api/procedures/{pid}/advance", headers={"X-CSRF-Token": token}).status_code
        == 403
    )
    users.set_role(app, ANNA, "procesbegeleider", actor="test")
    assert (
        web.post(f"/api/procedures/{pid}/advance", headers={"X-CSRF-Token": token}).status_code
        == 200
    )
    users.set_role(app, ANNA, "archivaris", actor="test")
    again = web.post(f"/api/procedures/{pid}/advance", headers={"X-CSRF-Token": token})
    assert again.status_code == 403 and "ingelogd als archivaris" in again.text


def test_password_login_can_be_switched_off_for_the_provider(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With `password_login = false` the form and POST /api/session refuse, in Dutch."""
    _account(app, SANNE, "procesbegeleider")
    oidc = OidcSettings(
        issuer="http://127.0.0.1:9",
        client_id="hotspot",
        client_secret="s",
        organisation="Provincie Overijssel",
        password_login=False,
    )
    web_settings = replace(app.settings.web, oidc=oidc, login_floor_ms=0)
    monkeypatch.setattr(app, "settings", replace(app.settings, web=web_settings))
    web = client(app)
    page = web.get("/login").text
    assert "Inloggen via Provincie Overijssel" in page and 'name="password"' not in page
    answer = web.post("/api/session", json={"username": SANNE, "password": PASSWORD})
    assert answer.status_code == 401
    assert "Inloggen met een wachtwoord is uitgezet" in answer.json()["message"]


def _hotspot(url: str, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "HOTSPOT_DATABASE_URL": url, "HOTSPOT_PASSWORD": PASSWORD}
    return subprocess.run(
        [sys.executable, "-m", "workflow.cli.main", *args],
        env=environment,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_cli_adds_accounts_with_a_role_and_changes_it(
    app: App, database_url: str, tmp_path: Path
) -> None:
    """`user add --role` and `user role NAME ROLE`; an unknown role exits non-zero in Dutch."""
    added = _hotspot(
        database_url,
        tmp_path,
        "user",
        "add",
        ANNA,
        "--name",
        "Anna",
        "--role",
        "informatiebeheerder",
    )
    assert added.returncode == 0, added.stderr
    assert "aangemaakt (informatiebeheerder)" in added.stdout
    changed = _hotspot(database_url, tmp_path, "user", "role", ANNA, "archivaris")
    assert changed.returncode == 0, changed.stderr
    assert "anna is nu archivaris" in changed.stdout
    wrong = _hotspot(database_url, tmp_path, "user", "role", ANNA, "baas")
    assert wrong.returncode != 0
    said = " ".join((wrong.stdout + wrong.stderr).split())
    assert "kies een van de rollen procesbegeleider, informatiebeheerder, archivaris" in said
    with app.read() as db:
        assert db.scalar(select(m.User.role).where(m.User.username == ANNA)) == "archivaris"


def _fresh_database(kind: str, tmp_path: Path) -> tuple[str, str | None]:
    """An empty database of `kind` (and, for PostgreSQL, its name to drop afterwards)."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'upgrade.db'}", None
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} not set")
    base = normalise_url(base)
    name = f"hotspot_roles_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False), name


def _drop(name: str) -> None:
    admin = create_engine(normalise_url(os.environ[POSTGRES_ENV]), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_upgrade_makes_existing_accounts_facilitators(kind: str, tmp_path: Path) -> None:
    """An account made before 0008 is a procesbegeleider after it, with no provider link."""
    from alembic import command

    url, name = _fresh_database(kind, tmp_path)
    engine = make_engine(url)
    try:
        config = _alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0007")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (username, name, password_hash, created_at, failed_logins) "
                    "VALUES ('oud', 'Oud Account', 'x', '2025-01-01 00:00:00+00:00', 0)"
                )
            )
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT role, oidc_issuer, oidc_subject FROM users WHERE username = 'oud'")
            ).one()
        assert tuple(row) == ("procesbegeleider", None, None)
    finally:
        engine.dispose()
        if name is not None:
            _drop(name)


ISSUER = "https://login.overijssel.example"


def _oidc(app: App, subject: str, role: str, *, create: bool) -> users.Facilitator:
    return users.sign_in_oidc(
        app,
        issuer=ISSUER,
        subject=subject,
        role=users.AccountRole(role),
        name="Anna Jansen",
        username_hint="anna.jansen",
        create=create,
    )


def test_provider_accounts_link_by_issuer_and_subject_and_take_the_providers_role(
    app: App,
) -> None:
    """Refused while unknown; linked with `link_oidc`, signed in with the role the provider
    gives now (written to the account); a disabled account is refused; `create` makes one."""
    with pytest.raises(users.LoginRefused) as refused:
        _oidc(app, "sub-1", "informatiebeheerder", create=False)
    assert "hebt hier nog geen account" in refused.value.explain()
    _account(app, ANNA, "archivaris")
    users.link_oidc(app, ANNA, issuer=ISSUER, subject="sub-1", actor="test")
    signed = _oidc(app, "sub-1", "informatiebeheerder", create=False)
    assert (signed.username, signed.role) == (ANNA, users.AccountRole.INFORMATION_MANAGER)
    with app.read() as db:
        assert db.scalar(select(m.User.role).where(m.User.username == ANNA)) == (
            "informatiebeheerder"
        )
    # The same subject of another provider is somebody else.
    with pytest.raises(users.LoginRefused):
        users.sign_in_oidc(
            app,
            issuer="https://elders.example",
            subject="sub-1",
            role=users.AccountRole.FACILITATOR,
            name="",
            username_hint="x",
            create=False,
        )
    with pytest.raises(InvalidInput):
        _account(app, PIET, "archivaris")
        users.link_oidc(app, PIET, issuer=ISSUER, subject="sub-1", actor="test")
    users.set_disabled(app, ANNA, True, actor="test")
    with pytest.raises(users.LoginRefused) as disabled:
        _oidc(app, "sub-1", "informatiebeheerder", create=False)
    assert "uitgezet" in disabled.value.explain()
    made = _oidc(app, "sub-2", "archivaris", create=True)
    again = _oidc(app, "sub-3", "archivaris", create=True)
    assert (made.username, again.username) == ("anna.jansen", "anna.jansen-2")
    # Made for the provider: no password opens it.
    with pytest.raises(users.LoginRefused):
        users.authenticate(app, "anna.jansen", PASSWORD)

"""Passwords that are hard to guess, accounts that can be changed and disabled, https defaults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from states.errors import InvalidInput
from states.phases import Phase
from tests import support
from tests.conftest import START
from tests.web_support import FACILITATOR, PASSWORD, csrf_of
from workflow import passwords, users
from workflow.app import App, bootstrap
from workflow.db import models as m
from workflow.settings import Settings
from workflow.testing import FrozenClock
from workflow.web import create_app


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("aaaaaaaaaaaa", "password.distinct"),
        ("abcabcabcabc", "password.distinct"),
        ("kort-wachtw", "password.length"),
        ("password1234", "password.common"),
        ("qwertyuiop12", "password.common"),
        ("Welkom123456", "password.common"),
        ("123456789012", "password.common"),
        ("sanne-de-vries-2025", "password.personal"),
        ("mijn-naam-is-devries", "password.personal"),
        # Dutch favourites and the application's own words, which zxcvbn alone lets through.
        ("Wachtwoord2024!", "password.common"),
        ("Welkom01!2345", "password.common"),
        ("Geheim123456!", "password.common"),
        ("Zomer2024!!!", "password.common"),
        ("Hotspot2024!!", "password.common"),
        ("Provincie2024!", "password.common"),
        ("Amsterdam2024!", "password.common"),
        # A famous example passphrase, with or without separators.
        ("correcthorsebatterystaple", "password.common"),
        ("Correct-Horse-Battery-Staple", "password.common"),
    ],
)
def test_weak_passwords_are_refused_naming_their_rule(password: str, rule: str) -> None:
    """Each refusal is Dutch by default and names the rule it broke."""
    with pytest.raises(InvalidInput) as refused:
        passwords.check(password, username="sanne", name="Sanne de Vries")
    assert rule in refused.value.explain("nl") and "het wachtwoord" in refused.value.explain("nl")
    assert rule in refused.value.explain("en")


@pytest.mark.parametrize(
    "password", ["paarse-olifant-fietst-snel", "vier-losse-ongewone-woorden", "Tr0ub4dor&3xyz"]
)
def test_reasonable_passwords_pass(password: str) -> None:
    """Long passphrases and mixed passwords are not refused."""
    passwords.check(password, username="sanne", name="Sanne de Vries")


def test_the_organisations_on_record_count_as_common_words(app: App) -> None:
    """`Staphorst2025!!` passes until a procedure of Gemeente Staphorst is on record."""
    users.add_user(app, username="anna", name="Anna de Boer", password="Staphorst2025!!")
    support.open_procedure(app, org="Gemeente Staphorst")
    with pytest.raises(InvalidInput) as refused:
        users.add_user(app, username="bert", name="Bert Jansen", password="Staphorst2025!!")
    assert "password.common" in refused.value.explain()


def test_the_same_password_again_is_refused(app: App) -> None:
    """`user passwd` to the password the account already has: refused, nothing changes."""
    users.add_user(app, username=FACILITATOR, name="Sanne", password=PASSWORD)
    with pytest.raises(InvalidInput) as refused:
        users.set_password(app, FACILITATOR, PASSWORD, actor="test")
    assert "password.same" in refused.value.explain() and refused.value.field == "password"
    assert users.authenticate(app, FACILITATOR, PASSWORD).username == FACILITATOR


def test_importing_the_accounts_module_hashes_nothing() -> None:
    """The dummy hash for unknown names is made on first need, not when the module loads."""
    code = (
        "import argon2, time\n"
        "calls = []\n"
        "original = argon2.PasswordHasher.hash\n"
        "argon2.PasswordHasher.hash = lambda self, p, **k: calls.append(1) or original(self, p)\n"
        "import workflow.users\n"
        "print(len(calls))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "0"


def _hotspot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "HOTSPOT_DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}"}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "workflow.cli.main", *args],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_cli_refuses_a_weak_password_and_changes_disables_and_enables_accounts(
    tmp_path: Path,
) -> None:
    """`user add` refuses aaaaaaaaaaaa; `user passwd`, `disable`, `enable` do what they say."""
    weak = _hotspot(tmp_path, "user", "add", "anna", "--name", "Anna", HOTSPOT_PASSWORD="a" * 12)
    assert weak.returncode == 2 and "password.distinct" in weak.stderr
    made = _hotspot(
        tmp_path, "user", "add", "anna", "--name", "Anna de Boer", HOTSPOT_PASSWORD=PASSWORD
    )
    assert made.returncode == 0, made.stderr
    app = bootstrap(Settings(f"sqlite:///{tmp_path / 'h.db'}", "nl", None))
    try:
        assert users.authenticate(app, "anna", PASSWORD).username == "anna"
        new = "vier-losse-ongewone-woorden"
        changed = _hotspot(tmp_path, "user", "passwd", "anna", "--json", HOTSPOT_PASSWORD=new)
        assert changed.returncode == 0, changed.stderr
        assert json.loads(changed.stdout)["username"] == "anna"
        assert '"event": "user.password_changed"' in changed.stderr
        with pytest.raises(users.LoginRefused):
            users.authenticate(app, "anna", PASSWORD)
        assert users.authenticate(app, "anna", new).username == "anna"
        assert _hotspot(tmp_path, "user", "disable", "anna").returncode == 0
        with pytest.raises(users.LoginRefused):
            users.authenticate(app, "anna", new)
        assert _hotspot(tmp_path, "user", "enable", "anna").returncode == 0
        assert users.authenticate(app, "anna", new).username == "anna"
        unknown = _hotspot(tmp_path, "user", "disable", "niemand")
        assert unknown.returncode == 4 and "bestaat niet" in unknown.stderr
    finally:
        app.dispose()


def test_the_cli_revokes_a_link_by_address_and_kind(tmp_path: Path) -> None:
    """`link revoke PROC --email E --purpose advice` ends the archivist's link, audited."""
    app = bootstrap(
        Settings(f"sqlite:///{tmp_path / 'h.db'}", "nl", None), clock=FrozenClock(START)
    )
    try:
        pid = support.open_procedure(app)
        support.drive_to(app, pid, Phase.DECISION)
    finally:
        app.dispose()
    revoked = _hotspot(
        tmp_path,
        "link",
        "revoke",
        pid,
        "--email",
        "carla@org.example",
        "--purpose",
        "advice",
        "--reason",
        "nieuwe archivaris",
        "--json",
    )
    assert revoked.returncode == 0, revoked.stderr
    assert json.loads(revoked.stdout)["purposes"] == {"advice": 1}
    again = _hotspot(tmp_path, "link", "revoke", pid, "--email", "carla@org.example")
    assert again.returncode == 2 and "geen geldige persoonlijke link" in again.stderr
    app = bootstrap(Settings(f"sqlite:///{tmp_path / 'h.db'}", "nl", None))
    try:
        with app.read() as db:
            reasons = db.scalars(select(m.AccessLink.revoked_reason)).all()
            action = db.scalars(
                select(m.AuditRecord.action).order_by(m.AuditRecord.id.desc())
            ).first()
        assert "revoked" in reasons and action == "link.revoke"
    finally:
        app.dispose()


def _https(app: App) -> TestClient:
    mail = replace(app.settings.mail, base_url="https://hotspots.example")
    app.settings = replace(app.settings, mail=mail)
    return TestClient(create_app(app), base_url="https://testserver", follow_redirects=False)


def test_over_https_the_site_sends_hsts_and_a_host_only_secure_cookie(app: App) -> None:
    """Strict-Transport-Security for a year; the cookie is __Host-, Secure, HttpOnly, Lax."""
    users.add_user(app, username=FACILITATOR, name="Sanne", password=PASSWORD)
    web = _https(app)
    page = web.get("/login")
    assert page.headers["strict-transport-security"] == "max-age=31536000"
    answer = web.post(
        "/login",
        data={"csrf_token": csrf_of(page.text), "username": FACILITATOR, "password": PASSWORD},
    )
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("__Host-hotspot_session=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain" not in cookie
    assert web.get("/procedures").status_code == 200


def test_over_plain_http_there_is_no_hsts(app: App) -> None:
    """A site on http (a local demo) does not promise https it cannot keep."""
    web = TestClient(create_app(app), follow_redirects=False)
    assert "strict-transport-security" not in web.get("/login").headers

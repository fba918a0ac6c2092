"""Every failed login looks and lasts the same: nobody learns which user names exist."""

from __future__ import annotations

import re
import statistics
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import update

from tests.e2e.served import CSRF, served
from workflow import users
from workflow.app import App, bootstrap
from workflow.db import models as m
from workflow.settings import Settings

PASSWORD = "paarse-olifant-fietst-snel"
ROUNDS = 6
KINDS = ("unknown", "wrong", "waiting", "disabled")
USERNAMES = {"unknown": "niemand", "wrong": "anna", "waiting": "bert", "disabled": "carla"}


def _accounts(app: App) -> None:
    for name in ("anna", "bert", "carla"):
        users.add_user(app, username=name, name=name.title(), password=PASSWORD)
    users.set_disabled(app, "carla", True, actor="test")


def _prepare(app: App, kind: str) -> None:
    """Put the accounts in the state each kind needs before its attempt."""
    values = {
        # One earlier failure: a wrong password now is counted, not yet a reason to wait.
        "wrong": {"failed_logins": 1, "last_failed_at": None},
        # Many failures a moment ago: the account waits a quarter of an hour.
        "waiting": {"failed_logins": 12, "last_failed_at": app.now() - timedelta(seconds=1)},
    }.get(kind)
    if values is not None:
        with app.transaction() as connection:
            connection.execute(
                update(m.User).where(m.User.username == USERNAMES[kind]).values(**values)
            )


def _form_attempt(client: httpx.Client, kind: str) -> tuple[float, str]:
    token = CSRF.search(client.get("/login").text)
    assert token
    started = time.perf_counter()
    answer = client.post(
        "/login",
        data={"csrf_token": token.group(1), "username": USERNAMES[kind], "password": "fout-1234"},
    )
    took = time.perf_counter() - started
    assert answer.status_code == 401, (kind, answer.status_code)
    return took, re.sub(r'name="csrf_token" value="[^"]+"', "", answer.text)


def test_every_login_failure_has_the_same_answer_in_the_same_time(
    database_url: str, tmp_path: Path
) -> None:
    """Unknown, wrong, waiting, disabled: identical pages and JSON, medians within 100 ms."""
    app = bootstrap(Settings(database_url, "nl", None))
    try:
        _accounts(app)
        with served(database_url, tmp_path) as live, httpx.Client(base_url=live.base) as client:
            _prepare(app, "wrong")
            _form_attempt(client, "wrong")  # warm up: the hashing process starts on first use
            times: dict[str, list[float]] = {kind: [] for kind in KINDS}
            pages: dict[str, set[str]] = {kind: set() for kind in KINDS}
            for _ in range(ROUNDS):
                for kind in KINDS:
                    _prepare(app, kind)
                    took, page = _form_attempt(client, kind)
                    times[kind].append(took)
                    pages[kind].add(page)
            answers = {}
            for kind in KINDS:
                _prepare(app, kind)
                api = client.post(
                    "/api/session", json={"username": USERNAMES[kind], "password": "fout-1234"}
                )
                assert api.status_code == 401
                answers[kind] = api.content
    finally:
        app.dispose()
    medians = {kind: statistics.median(times[kind]) for kind in KINDS}
    print({kind: round(value, 3) for kind, value in medians.items()})
    assert len(set().union(*pages.values())) == 1, "the login pages differ between failures"
    assert len(set(answers.values())) == 1, answers
    assert max(medians.values()) - min(medians.values()) < 0.1, medians
    assert min(medians.values()) >= 1.0  # the floor: no failure answers sooner

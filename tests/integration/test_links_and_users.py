"""Personal links (signed, expiring, revocable) and facilitator accounts (argon2, slowed)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from states.errors import InvalidInput
from tests import support
from workflow import links, users
from workflow.app import App
from workflow.db import models as m
from workflow.links import LinkProblem, LinkRefused, Purpose
from workflow.testing import FrozenClock


def _issue(app: App, pid: str, subject: int, purpose: Purpose = Purpose.EXPERT) -> str:
    with app.transaction() as connection:
        made = links.issue(
            connection,
            keys=links.link_keys(app.keys),
            base_url="https://hotspots.example",
            procedure_id=pid,
            purpose=purpose,
            subjects=[subject],
            now=app.now(),
            valid_days=30,
        )
    return made[subject].rsplit("/", 1)[1]


def _verify(app: App, token: str, purpose: Purpose = Purpose.EXPERT) -> links.Grant:
    with app.engine.connect() as connection:
        return links.verify(
            connection,
            keys=links.link_keys(app.keys),
            token=token,
            purpose=purpose,
            now=app.now(),
        )


@pytest.fixture
def pid(app: App) -> str:
    return support.open_procedure(app)


def test_a_link_grants_one_purpose_for_one_person_of_one_procedure(app: App, pid: str) -> None:
    """A fresh link verifies to its procedure and person, and to nothing else."""
    token = _issue(app, pid, 7)
    grant = _verify(app, token)
    assert (grant.procedure_id, grant.subject_id, grant.purpose) == (pid, 7, Purpose.EXPERT)
    with pytest.raises(LinkRefused) as refused:
        _verify(app, token, Purpose.DECISION)
    assert refused.value.problem is LinkProblem.INVALID


def test_an_altered_link_fails_its_signature(app: App, pid: str) -> None:
    """Changing one character of a link makes it invalid, not someone else's."""
    token = _issue(app, pid, 7)
    # A character just after the separator: the last one may only carry padding bits.
    cut = token.index(".") + 1
    flipped = token[:cut] + ("A" if token[cut] != "A" else "B") + token[cut + 1 :]
    with pytest.raises(LinkRefused) as refused:
        _verify(app, flipped)
    assert refused.value.problem is LinkProblem.INVALID


def test_a_link_expires_on_its_date(app: App, pid: str, clock: FrozenClock) -> None:
    """A link is good until its validity ends, and expired from that moment on."""
    token = _issue(app, pid, 7)
    clock.advance(days=29, hours=23)
    _verify(app, token)
    clock.advance(hours=1)
    with pytest.raises(LinkRefused) as refused:
        _verify(app, token)
    assert refused.value.problem is LinkProblem.EXPIRED


def test_a_new_link_revokes_the_old_one_and_revoke_ends_both(app: App, pid: str) -> None:
    """Issuing again replaces the earlier link; revoking ends the newest too."""
    old = _issue(app, pid, 7)
    new = _issue(app, pid, 7)
    with pytest.raises(LinkRefused) as refused:
        _verify(app, old)
    assert refused.value.problem is LinkProblem.REVOKED
    grant = _verify(app, new)
    with app.transaction() as connection:
        assert links.revoke(connection, pid, Purpose.EXPERT, 7, app.now()) == 1
        assert links.still_valid(connection, grant.link_id, app.now()) is LinkProblem.REVOKED
    with pytest.raises(LinkRefused):
        _verify(app, new)


def test_only_the_hash_of_a_link_is_stored(app: App, pid: str) -> None:
    """No column holds the link or its nonce in the clear."""
    token = _issue(app, pid, 7)
    with app.read() as db:
        row = db.scalars(select(m.AccessLink)).one()
    assert len(row.nonce_hash) == 64 and row.nonce_hash not in token


def test_a_user_password_is_stored_as_an_argon2_hash(app: App) -> None:
    """The account keeps an argon2id hash, never the password."""
    users.add_user(app, username="Sanne", name="Sanne de Vries", password="lang-genoeg-wachtwoord")
    with app.read() as db:
        row = db.scalars(select(m.User)).one()
    assert row.username == "sanne"
    assert row.password_hash.startswith("$argon2id$")
    assert "lang-genoeg-wachtwoord" not in row.password_hash


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [("x", "lang-genoeg-wachtwoord", "username"), ("sanne", "kort", "password")],
)
def test_bad_account_input_is_refused_and_creates_nothing(
    app: App, username: str, password: str, field: str
) -> None:
    """A one-letter name or a short password is refused, naming the field."""
    with pytest.raises(InvalidInput) as refused:
        users.add_user(app, username=username, name="Sanne", password=password)
    assert refused.value.field == field
    with app.read() as db:
        assert db.scalars(select(m.User)).all() == []


def test_failed_logins_make_the_account_wait_longer_each_time(app: App, clock: FrozenClock) -> None:
    """After three failures each attempt waits, doubling; the right password then works."""
    users.add_user(app, username="sanne", name="Sanne", password="lang-genoeg-wachtwoord")
    for _ in range(users.FREE_FAILURES):
        with pytest.raises(users.LoginRefused) as refused:
            users.authenticate(app, "sanne", "fout")
        assert refused.value.wait_seconds == 0
    with pytest.raises(users.LoginRefused) as waiting:
        users.authenticate(app, "sanne", "lang-genoeg-wachtwoord")
    assert waiting.value.wait_seconds == 2
    clock.advance(seconds=2)
    with pytest.raises(users.LoginRefused):
        users.authenticate(app, "sanne", "fout-again")
    with pytest.raises(users.LoginRefused) as longer:
        users.authenticate(app, "sanne", "lang-genoeg-wachtwoord")
    assert longer.value.wait_seconds == 4
    clock.advance(seconds=4)
    assert users.authenticate(app, "sanne", "lang-genoeg-wachtwoord").username == "sanne"
    with app.read() as db:
        assert db.scalars(select(m.User)).one().failed_logins == 0


def test_the_wait_doubles_and_is_capped() -> None:
    """The wait after n failures doubles from the fourth and never exceeds fifteen minutes."""
    waits = [users.wait_after(n) for n in range(0, 20)]
    assert waits[:3] == [timedelta(0)] * 3
    assert waits[3:6] == [timedelta(seconds=2), timedelta(seconds=4), timedelta(seconds=8)]
    assert max(waits) == users.MAX_WAIT


def test_an_unknown_name_is_refused_like_a_wrong_password(app: App) -> None:
    """The refusal never tells whether the name exists."""
    users.add_user(app, username="sanne", name="Sanne", password="lang-genoeg-wachtwoord")
    with pytest.raises(users.LoginRefused) as unknown:
        users.authenticate(app, "niemand", "lang-genoeg-wachtwoord")
    with pytest.raises(users.LoginRefused) as wrong:
        users.authenticate(app, "sanne", "verkeerd")
    assert unknown.value.explain() == wrong.value.explain()

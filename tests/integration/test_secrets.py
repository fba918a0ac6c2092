"""Keys stay out of the database, database files are private, keys rotate and retire."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from base64 import b64encode
from pathlib import Path
from urllib.parse import urlsplit

import itsdangerous
import pytest
from alembic import command
from sqlalchemy import inspect, text

from tests import support
from tests.web_support import FACILITATOR, PASSWORD, client, logged_in
from workflow import keys, links, users
from workflow.app import App, bootstrap
from workflow.db.engine import _alembic_config, make_engine
from workflow.links import LinkProblem, LinkRefused, Purpose
from workflow.settings import Settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_folder_are_private(tmp_path: Path) -> None:
    """var/ 0700; the database, its -wal and -shm 0600 from the start."""
    folder = tmp_path / "var"
    app = bootstrap(Settings(f"sqlite:///{folder / 'hotspot.db'}", "nl", None))
    try:
        support.open_procedure(app)
        names = {p.name for p in folder.iterdir()}
        assert {"hotspot.db", "hotspot.db-wal", "hotspot.db-shm"} <= names
        assert _mode(folder) == 0o700
        for name in ("hotspot.db", "hotspot.db-wal", "hotspot.db-shm"):
            assert _mode(folder / name) == 0o600, name
    finally:
        app.dispose()


def test_an_existing_readable_database_is_made_private_on_connect(tmp_path: Path) -> None:
    """A file an older version made 0644 loses group and other access when opened."""
    path = tmp_path / "old.db"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    engine.dispose()
    assert _mode(path) == 0o600


def test_the_key_lives_in_a_private_file_beside_the_database(app: App, tmp_path: Path) -> None:
    """No secret table in the schema; the key file is 0600 and its key is not in the database."""
    if app.engine.dialect.name != "sqlite":
        pytest.skip("the key file beside a SQLite database")
    ring = app.keys
    with app.engine.connect() as connection:
        assert "instance_secrets" not in inspect(connection).get_table_names()
    key_file = Path(ring.source)
    assert key_file.parent == tmp_path and _mode(key_file) == 0o600
    database = (tmp_path / "hotspot.db").read_bytes()
    for master in ring.masters:
        assert master not in database
        assert keys.new_master() not in database.decode("latin-1")


def _sign_like_starlette(secret: str, session: dict[str, object]) -> str:
    data = b64encode(json.dumps(session).encode())
    return itsdangerous.TimestampSigner(secret).sign(data).decode()


def test_a_copy_of_the_database_forges_neither_a_session_nor_a_link(tmp_path: Path) -> None:
    """The report's forgery (keys derived from the old link key) and every row of the copy fail.

    The database is made at 0005, where the link key still sat in `instance_secrets`; an
    attacker keeps a copy of the file, then the installation upgrades.
    """
    path = tmp_path / "hotspot.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        config = _alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
    with engine.connect() as connection:
        old_key = connection.execute(
            text("SELECT value FROM instance_secrets WHERE name = 'link_key'")
        ).scalar_one()
    engine.dispose()
    app = bootstrap(Settings(f"sqlite:///{path}", "nl", None))
    try:
        users.add_user(app, username=FACILITATOR, name="Sanne", password=PASSWORD)
        pid = support.open_procedure(app)
        support.fill_workgroup(app, pid)
        facilitator = logged_in(app)
        assert facilitator.get("/procedures").status_code == 200
        # What read access to the files gives: the database with its write-ahead log.
        stolen = tmp_path / "stolen.db"
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{path}{suffix}").exists():
                shutil.copy(f"{path}{suffix}", f"{stolen}{suffix}")
        web = client(app)
        # 1. The old session cookie: Starlette's signed JSON, key = sha256 of the link key.
        cookie_key = hashlib.sha256(f"session-cookie:{old_key}".encode()).hexdigest()
        who = {"role": "facilitator", "id": 1, "actor": FACILITATOR, "name": "Sanne"}
        web.cookies.set("hotspot_session", _sign_like_starlette(cookie_key, {"who": who}))
        assert web.get("/procedures").status_code == 303
        # 2. A session row of the copy: it holds the hash of the id, not the id.
        thief = client(app)
        copy = make_engine(f"sqlite:///{stolen}")
        with copy.connect() as connection:
            rows = connection.execute(text("SELECT id_hash FROM web_sessions")).scalars().all()
        copy.dispose()
        assert rows
        for row in rows:
            thief.cookies.set("hotspot_session", row)
            assert thief.get("/procedures").status_code == 303
        # 3. A link signed with the old key (what 0004 made), for the archivist.
        member = 3
        forged = URLSafe(old_key).dumps(["advice", pid, member, "nonce", 2_000_000_000])
        opened = client(app).get(f"/advies/{forged}")
        assert opened.status_code == 403 and "Deze link is ongeldig" in opened.text
    finally:
        app.dispose()


def URLSafe(key: str) -> itsdangerous.URLSafeSerializer:
    return itsdangerous.URLSafeSerializer(key, salt="hotspot-personal-link")


def _hotspot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "HOTSPOT_DATABASE_URL": f"sqlite:///{tmp_path / 'hotspot.db'}"}
    environment.pop("HOTSPOT_SECRET_KEY", None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "workflow.cli.main", *args],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _link(app: App, pid: str) -> str:
    with app.transaction() as connection:
        made = links.issue(
            connection,
            keys=links.link_keys(app.keys),
            base_url="https://hotspots.example",
            procedure_id=pid,
            purpose=Purpose.EXPERT,
            subjects=[7],
            now=app.now(),
            valid_days=30,
        )
    return urlsplit(made[7]).path.rsplit("/", 1)[1]


def _check(app: App, token: str) -> LinkProblem | None:
    try:
        with app.engine.connect() as connection:
            links.verify(
                connection,
                keys=links.link_keys(app.keys),
                token=token,
                purpose=Purpose.EXPERT,
                now=app.now(),
            )
    except LinkRefused as refused:
        return refused.problem
    return None


def test_keys_rotate_keeps_old_links_and_retire_ends_them(tmp_path: Path) -> None:
    """`keys rotate`: a new key signs, the old link still opens; `keys retire`: it no longer."""
    app = bootstrap(Settings(f"sqlite:///{tmp_path / 'hotspot.db'}", "nl", None))
    try:
        pid = support.open_procedure(app)
        old = _link(app, pid)
        rotated = _hotspot(tmp_path, "keys", "rotate", "--json")
        assert rotated.returncode == 0, rotated.stderr
        assert json.loads(rotated.stdout)["keys"] == 2
        assert '"event": "keys.rotated"' in rotated.stderr
        app.reload_keys()
        assert len(app.keys.masters) == 2
        assert _check(app, old) is None
        other = _link(app, pid)
        assert _check(app, other) is None
        # Signed with the new key: the old key alone does not verify it.
        assert (
            itsdangerous.URLSafeSerializer(
                [app.keys.derive(keys.KeyUse.LINKS)[0]], salt="hotspot-personal-link"
            ).loads_unsafe(other)[0]
            is False
        )
        retired = _hotspot(tmp_path, "keys", "retire", "--json")
        assert retired.returncode == 0, retired.stderr
        assert json.loads(retired.stdout)["retired"] == 1
        assert '"event": "keys.retired"' in retired.stderr
        app.reload_keys()
        assert _check(app, old) is LinkProblem.INVALID
        assert _check(app, other) is None
        assert _mode(Path(app.keys.source)) == 0o600
    finally:
        app.dispose()


def test_keys_new_prints_a_key_and_rotation_refuses_environment_keys(tmp_path: Path) -> None:
    """`keys new` prints a usable key; with HOTSPOT_SECRET_KEY, `rotate` explains what to do."""
    made = _hotspot(tmp_path, "keys", "new")
    assert made.returncode == 0
    key = made.stdout.strip()
    assert keys.parse_keys(key, "test")
    refused = _hotspot(tmp_path, "keys", "rotate", HOTSPOT_SECRET_KEY=key)
    assert refused.returncode == 2
    assert "HOTSPOT_SECRET_KEY" in refused.stderr and "hotspot keys new" in refused.stderr

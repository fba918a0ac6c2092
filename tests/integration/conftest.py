"""Fixtures for the integration tests that need more than a database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.smtp_server import SmtpTestServer
from workflow import publishing


@pytest.fixture
def smtp_server() -> Iterator[SmtpTestServer]:
    """A real SMTP server on a free local port, accepting everything until told otherwise."""
    server = SmtpTestServer().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def public_list_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A publication writes the public list (workflow.publishing): into the test's own folder,
    not the checkout's var/."""
    monkeypatch.setattr(publishing, "DEFAULT_DIR", tmp_path / "var" / "publicatie")

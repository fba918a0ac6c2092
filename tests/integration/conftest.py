"""Fixtures for the integration tests that need more than a database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.smtp_server import SmtpTestServer


@pytest.fixture
def smtp_server() -> Iterator[SmtpTestServer]:
    """A real SMTP server on a free local port, accepting everything until told otherwise."""
    server = SmtpTestServer().start()
    yield server
    server.stop()

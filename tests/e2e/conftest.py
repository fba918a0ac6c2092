"""Browser fixtures: Debian's Chromium driven by Playwright, against a live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import START
from tests.e2e.live_site import LiveSite, sqlite_url, start_live_site
from workflow.testing import FrozenClock

CHROMIUM = os.environ.get("HOTSPOT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module; each test gets its own context (cookies, storage).

    Not per session: Playwright's sync API holds an event loop in the main thread while it
    runs, and later modules (the CLI's mail sending) start event loops of their own there.
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[LiveSite]:
    """The web app served on a free port over a fresh SQLite file, mail to a real SMTP server."""
    live = start_live_site(sqlite_url(tmp_path), FrozenClock(START))
    yield live
    live.stop()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """Pages in fresh browser contexts: `new_page()` is one person with their own cookies."""
    contexts: list[Any] = []

    def make() -> Any:
        context = browser.new_context(locale="nl-NL")
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()

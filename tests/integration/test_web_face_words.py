"""Each face speaks its own language: refusals on the link pages carry no CLI words or codes.

The walk posts the forms of the expert's portal, the archivist's and management's pages that
can refuse, and checks the page that answers: no `--flag`, no `hotspot <command>`, no
`[rule.code]` and no bare rule code outside a collapsed <details>.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from states.phases import Phase
from tests import support
from tests.support import INTERNAL
from tests.web_support import client, csrf_of, latest_link, logged_in, post_form
from workflow.app import App
from workflow.cli.main import cli
from workflow.commands import decision
from workflow.testing import FrozenClock

ARCHIVIST = "carla@org.example"
MANAGEMENT = "dirk@org.example"
_FLAG = re.compile(r"(?<![\w-])--[a-z]")
# `hotspot <command>` for every command the CLI has: the page must never send a reader there.
_COMMAND = re.compile(r"\bhotspot (?:" + "|".join(map(re.escape, sorted(cli.commands))) + r")\b")
_CODE = re.compile(r"\b(?:phase|decision|documents|nomination|sessions|panel|deviation)\.[a-z_]+\b")


def _outside_details(html: str) -> str:
    return re.sub(r"<details.*?</details>", "", html, flags=re.S)


def assert_in_its_own_words(html: str) -> None:
    """Nothing of the CLI or of the rule catalogue on a page for experts, archivist, management."""
    visible = _outside_details(html)
    assert not _FLAG.search(visible), _FLAG.search(visible)
    assert not _COMMAND.search(visible), _COMMAND.search(visible)
    assert not re.search(r"\[[a-z_]+\.[a-z_]+\]", html)
    assert not _CODE.search(visible), _CODE.search(visible)


def _opened(app: App, link: str) -> TestClient:
    web = client(app)
    assert web.get(link).status_code == 303
    return web


def _answer(
    web: TestClient, path: str, data: dict[str, str | list[str]], page: str | None = None
) -> str:
    token = csrf_of(web.get(page or path).text)
    response = web.post(path, data={**data, "csrf_token": token})
    if response.status_code == 303:
        return web.get(response.headers["location"]).text
    return response.text


@pytest.fixture
def in_decision(app: App) -> str:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    return pid


def test_the_archivists_refusals_are_in_words(app: App, in_decision: str) -> None:
    """No choice, a negative advice without reason, a bad date: words and labels only."""
    web = _opened(app, latest_link(app, ARCHIVIST, "advice_request"))
    cases: list[tuple[dict[str, str | list[str]], str]] = [
        ({"reason": "x"}, "kies positief of negatief advies"),
        ({"advice": "negative", "reason": ""}, "een negatief advies heeft een reden nodig"),
        ({"advice": "positive", "date": "gisteren"}, "Datum"),
        ({"advice": "positive", "date": "2099-01-01"}, "Datum"),
    ]
    for data, expected in cases:
        html = _answer(web, "/advies", data)
        assert expected in html, data
        assert_in_its_own_words(html)


def test_managements_refusals_are_in_words(app: App, in_decision: str) -> None:
    """A decision before positive advice and one with a bad date: no codes, no CLI words."""
    decision.record_advice(app, in_decision, positive=True, by="Carla", actor="carla")
    web = _opened(app, latest_link(app, MANAGEMENT, "proposal"))
    for data in (
        {"decision": "adopted", "date": "", "ref": "GS/1", "confirmed": "1"},
        {"decision": "adopted", "date": "31-02-2025", "ref": "GS/1", "confirmed": "1"},
        {"decision": "adopted", "date": "1950-01-01", "ref": "GS/1", "confirmed": "1"},
        {"decision": "", "ref": "GS/1"},
    ):
        html = _answer(web, "/besluit", data)
        assert 'class="flash flash-error"' in html, data
        assert_in_its_own_words(html)


def test_the_experts_refusals_are_in_words(app: App, clock: FrozenClock) -> None:
    """A nomination after the deadline and one out of the period: no rule code on the portal."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.SESSIONS)
    me = _opened(app, latest_link(app, INTERNAL[0][1], "call_for_nominations"))
    base = {
        "title": "Stikstof",
        "start": "2019-10-01",
        "end": "",
        "description": "Trekkers.",
        "criteria": ["1"],
    }
    html = _answer(me, "/portaal/voordrachten", {**base, "start": "1800-01-01"}, "/portaal")
    assert_in_its_own_words(html)
    clock.set(datetime(2025, 3, 4, 8, 0, tzinfo=UTC))
    me = _opened(app, latest_link(app, INTERNAL[0][1], "call_for_nominations"))
    html = _answer(me, "/portaal/voordrachten", base, "/portaal")
    assert "termijn" in html
    assert_in_its_own_words(html)


def test_the_facilitator_gets_the_codes_folded_away(app: App) -> None:
    """The facilitator's refusal names the rule in words; its code waits inside <details>."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.WORKGROUP)
    web = logged_in(app)
    page = f"/procedures/{pid}"
    response = post_form(web, f"{page}/advance", {"reason": "", "confirmed": "1"}, page)
    html = web.get(response.headers["location"]).text
    flash = html[html.index('class="flash flash-error"') :]
    flash = flash[: flash.index("</div>")]
    assert "<details><summary>Regelcodes</summary>" in flash
    assert "workgroup.required_roles" not in _outside_details(flash)
    assert "workgroup.required_roles" in flash

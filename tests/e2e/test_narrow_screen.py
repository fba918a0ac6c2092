"""Every page on a phone (390 px) and on a desktop (1280 px), in Debian's Chromium: nothing is
wider than the screen, and axe-core finds no serious WCAG violation at either width.

A table may be wider than a phone only inside its own horizontal scroll region (`.table-scroll`,
keyboard reachable and labelled): the page itself never scrolls sideways.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from states.phases import Phase
from tests import support
from tests.conftest import START
from tests.e2e.axe_check import serious_violations
from tests.e2e.live_site import LiveSite, sqlite_url, start_live_site
from tests.web_support import PASSWORD, ensure_user
from workflow.commands import decision
from workflow.testing import FrozenClock

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Every element that reaches past the right edge of the screen, unless it sits inside a
# region that scrolls on its own (overflow-x auto or scroll) and that region fits.
_OVERFLOWING = """
(width) => {
  const inScroller = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const style = getComputedStyle(p);
      const scrolls = ["auto", "scroll"].includes(style.overflowX);
      if (scrolls && p.getBoundingClientRect().right <= width + 0.5) return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (getComputedStyle(el).visibility === "hidden") continue;
    if (box.right > width + 0.5 && !inScroller(el)) {
      const name = `${el.tagName.toLowerCase()}.${el.className || ""}#${el.id || ""}`;
      found.push(`${name} right=${Math.round(box.right)} width=${Math.round(box.width)}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, found: found.slice(0, 8)};
}
"""


@dataclass
class Procedures:
    sessions: str
    decision: str
    published: str
    candidate: int


@dataclass
class Visitors:
    facilitator: Any
    expert: Any
    archivist: Any
    management: Any
    anyone: Any


@pytest.fixture(scope="module")
def narrow_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    live = start_live_site(sqlite_url(tmp_path_factory.mktemp("narrow")), FrozenClock(START))
    yield live
    live.stop()


@pytest.fixture(scope="module")
def procedures(narrow_site: LiveSite) -> Procedures:
    """Three procedures: in the sessions (with candidates), at the decision and published."""
    app = narrow_site.app
    # Published first and the decision last: the newest links in the mail are the decision's.
    published = support.open_procedure(app, org="Gemeente Zwolle")
    support.drive_to(app, published, Phase.PUBLICATION)
    support.publish(app, published)
    in_sessions = support.open_procedure(app, org="Provincie Drenthe")
    support.drive_to(app, in_sessions, Phase.SESSIONS)
    [candidate, *_] = support.nominate_and_assess(app, in_sessions)
    # Advised: management's newest link (the proposal's) is this one's; the archivist's newest
    # (the advice request's) is the last procedure's, whose advice is still open.
    advised = support.open_procedure(app, org="Waterschap Vechtstromen")
    support.drive_to(app, advised, Phase.DECISION)
    decision.record_advice(app, advised, positive=True, by="Carla", actor="carla")
    at_decision = support.open_procedure(app)
    support.drive_to(app, at_decision, Phase.DECISION)
    narrow_site.deliver()
    return Procedures(in_sessions, at_decision, published, candidate)


@pytest.fixture(scope="module")
def visitors(narrow_site: LiveSite, procedures: Procedures, browser: Any) -> Iterator[Visitors]:
    """One browser context per person, signed in the way that person signs in."""
    contexts: list[Any] = []

    def page() -> Any:
        context = browser.new_context(locale="nl-NL", viewport=PHONE)
        contexts.append(context)
        return context.new_page()

    ensure_user(narrow_site.app)
    facilitator = page()
    facilitator.goto(f"{narrow_site.url}/login")
    facilitator.get_by_label("Gebruikersnaam").fill("sanne")
    facilitator.get_by_label("Wachtwoord").fill(PASSWORD)
    facilitator.get_by_role("button", name="Inloggen").click()
    facilitator.wait_for_url(f"{narrow_site.url}/procedures")

    expert = page()
    expert.goto(narrow_site.links_to(support.EXTERNAL[0][1])[-1])
    archivist = page()
    archivist.goto(narrow_site.links_to("carla@org.example", "/advies/")[-1])
    management = page()
    management.goto(narrow_site.links_to("dirk@org.example", "/besluit/")[-1])
    yield Visitors(facilitator, expert, archivist, management, page())
    for context in contexts:
        context.close()


def _pages(p: Procedures) -> list[tuple[str, str]]:
    """(who, path) for every GET route that renders a page.

    Left out, being files or redirects: the CSV, xlsx and JSON exports, the document and
    calendar downloads, `/taal/…`, `/login/oidc…`, the personal links themselves (they
    redirect to the pages below) and the JSON API. `/mail/{name}` shows mail written to disk,
    which this site (mail to a real SMTP server) does not write.
    """
    s, d, done = p.sessions, p.decision, p.published
    return [
        ("anyone", "/login"),
        ("anyone", "/toegankelijkheid"),
        ("anyone", f"/openbaar/{done}"),
        ("anyone", "/openbaar/onbekend-0000"),  # the error page
        ("facilitator", "/procedures"),
        ("facilitator", "/wachtwoord"),
        ("facilitator", "/mail"),
        ("facilitator", f"/procedures/{s}"),
        ("facilitator", f"/procedures/{d}"),
        ("facilitator", f"/procedures/{done}"),
        ("facilitator", f"/procedures/{s}/deelnemers"),
        ("facilitator", f"/procedures/{s}/kandidaten"),
        ("facilitator", f"/procedures/{s}/kandidaten/{p.candidate}/beoordelen"),
        ("facilitator", f"/procedures/{s}/uitnodiging"),
        ("facilitator", f"/procedures/{s}/termijnen"),
        ("facilitator", f"/procedures/{s}/audit"),
        ("facilitator", f"/procedures/{done}/audit"),
        ("facilitator", f"/procedures/{done}/inventarisatie"),
        ("facilitator", "/procedures/onbekend-0000"),
        ("expert", "/portaal"),
        ("archivist", "/advies"),
        ("management", "/besluit"),
    ]


def _check(page: Any, width: int) -> list[str]:
    measured = page.evaluate(_OVERFLOWING, width)
    problems = [f"{line}" for line in measured["found"]]
    if measured["scrollWidth"] > width:
        problems.insert(0, f"page {measured['scrollWidth']} px wide")
    return problems


def test_no_page_is_wider_than_a_phone_and_axe_is_clean_at_both_widths(
    visitors: Visitors, procedures: Procedures, narrow_site: LiveSite
) -> None:
    """Every page at 390 px and 1280 px; all pages are checked before the test says which
    failed, so one run lists them all."""
    failures: dict[str, list[str]] = {}
    for who, path in _pages(procedures):
        page = getattr(visitors, who)
        for size in (PHONE, DESKTOP):
            page.set_viewport_size(size)
            answer = page.goto(f"{narrow_site.url}{path}")
            # The page asked for, not a login form or a refusal standing in for it.
            expected = 404 if "onbekend" in path else 200
            assert (answer.status, page.url) == (expected, f"{narrow_site.url}{path}"), who
            width = size["width"]
            problems = _check(page, width) if width == PHONE["width"] else []
            problems += serious_violations(page)
            if problems:
                failures[f"{who} {path} @ {width}"] = problems
    assert failures == {}, "\n".join(f"{k}: {v}" for k, v in failures.items())


def test_the_check_sees_a_page_that_scrolls_sideways(visitors: Visitors) -> None:
    """The measurement itself: a too-wide block outside a scroll region is reported, the same
    block inside one is not."""
    page = visitors.anyone
    page.set_viewport_size(PHONE)
    # A blank page: the site's Content-Security-Policy would refuse these inline styles.
    page.goto("about:blank")
    page.set_content(
        "<main><div id='wide' style='width:600px'>x</div>"
        "<div style='overflow-x:auto'><table style='width:900px'><tr><td>y</td></tr></table>"
        "</div></main>"
    )
    problems = _check(page, PHONE["width"])
    assert problems[0] == "page 608 px wide"  # 600 and the body's default margin
    assert any("#wide" in line for line in problems)
    assert not any("table" in line for line in problems)


def test_the_people_in_it_get_their_own_pages(visitors: Visitors) -> None:
    """The visitors are who the check takes them for: each link opened its own page."""
    assert visitors.expert.url.endswith("/portaal")
    assert visitors.archivist.url.endswith("/advies")
    assert visitors.management.url.endswith("/besluit")


def test_the_confirmation_pages_fit_a_phone_too(
    visitors: Visitors, procedures: Procedures, narrow_site: LiveSite
) -> None:
    """The summaries before an irreversible step (rendered in answer to a form, so not in the
    route list): the facilitator's advance and management's adoption, left unconfirmed."""
    failures: dict[str, list[str]] = {}
    facilitator = visitors.facilitator
    facilitator.set_viewport_size(PHONE)
    facilitator.goto(f"{narrow_site.url}/procedures/{procedures.decision}")
    facilitator.get_by_role("button", name="Door naar inventarisatie").click()
    assert "Bevestigen en vastleggen" in facilitator.content()
    failures["advance"] = _check(facilitator, PHONE["width"]) + serious_violations(facilitator)

    management = visitors.management
    management.set_viewport_size(PHONE)
    management.goto(f"{narrow_site.url}/besluit")
    management.get_by_label("Vastgesteld", exact=False).check()
    management.get_by_label("Datum van het besluit").fill("2025-05-13")
    management.get_by_label("Kenmerk van het besluit").fill("GS/2025/0412")
    management.get_by_role("button", name="Besluit vastleggen").click()
    assert "Dit kan niet ongedaan worden gemaakt" in management.content()
    failures["adoption"] = _check(management, PHONE["width"]) + serious_violations(management)
    assert {k: v for k, v in failures.items() if v} == {}

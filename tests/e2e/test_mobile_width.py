"""Pages at 390 px that `test_narrow_screen.py` does not reach, in Debian's Chromium: the mail
pages in local mode, failed mail, the page after a link's step, and a procedure whose people
typed long words, URLs and addresses. Nothing is wider than the screen; axe-core is clean at
390 and 1280 px.

The rule: no visible element may end past the screen's right edge, unless one of its ancestors
scrolls sideways on its own (overflow-x auto or scroll) and that ancestor ends within the screen
(a wide table in `.table-scroll`). The page itself never scrolls sideways.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select

from states.phases import Phase
from tests import support
from tests.conftest import START
from tests.e2e.axe_check import serious_violations
from tests.e2e.live_site import LiveSite, sqlite_url, start_live_site
from tests.smtp_server import free_port
from tests.web_support import PASSWORD, ensure_user
from workflow.db import models as m
from workflow.scenario import Candidate
from workflow.testing import FrozenClock
from workflow.web import create_app

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# What people type that a phone cannot break by itself: one long word, a long address, a URL.
LONG_WORD = "Informatiebeheersamenwerkingsverbandsregioarchiefdienstoostnederland"
LONG_EMAIL = "hanna.historica-van-der-berg@geschiedenisfaculteitrijksuniversiteitgroningen.example"
LONG_URL = "https://www.archieven.example/zoeken/" + "hoogwater-overijssel-vecht-" * 4 + "2021"
LONG_TITLE = f"Hoogwater in de Vecht en de {LONG_WORD}"
# Mail to this address fails for good: the mail page lists it with its SMTP error.
BOUNCES = "bert@org.example"

# Every visible element past `width`, unless an ancestor scrolls sideways on its own and that
# ancestor fits: tag, class, left edge and width of each.
_OVERFLOWING = """
(width) => {
  const limit = width + 0.5;
  const inOwnScroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const scrolls = ["auto", "scroll"].includes(getComputedStyle(p).overflowX);
      if (scrolls && p.getBoundingClientRect().right <= limit) return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (getComputedStyle(el).visibility === "hidden") continue;
    if (box.right > limit && !inOwnScroller(el)) {
      const cls = typeof el.className === "string" && el.className ? "." + el.className : "";
      found.push(
        `<${el.tagName.toLowerCase()}${cls}> left=${Math.round(box.left)} ` +
        `width=${Math.round(box.width)}`
      );
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, found};
}
"""


def too_wide(page: Any, width: int) -> list[str]:
    """The page's own width if it scrolls sideways, then the offending elements (first 10)."""
    measured = page.evaluate(_OVERFLOWING, width)
    problems = [str(line) for line in measured["found"][:10]]
    if measured["scrollWidth"] > width:
        problems.insert(0, f"the page is {measured['scrollWidth']} px wide")
    return problems


@dataclass
class World:
    site: LiveSite
    mail_url: str  # the same app in local mode: the mail page reads a folder
    long_pid: str
    candidate: int
    message: str  # a mail in the local folder, with an HTML part
    people: dict[str, Any]  # one page per person, each in its own browser context


def _long_scenario() -> Any:
    """The tests' procedure, with a long organisation name and long addresses and titles."""
    short = support.EXTERNAL[0][1]
    swap = {short: LONG_EMAIL}
    base = support.SCENARIO
    return base.but(
        organisation=f"Gemeenschappelijke regeling {LONG_WORD}",
        experts=tuple(e._replace(email=swap.get(e.email, e.email)) for e in base.experts),
        sessions=tuple(
            s._replace(attendees=tuple(swap.get(a, a) for a in s.attendees)) for s in base.sessions
        ),
        candidates=(
            Candidate(
                LONG_TITLE,
                "2021-07-14",
                "2021-07-31",
                f"Evacuaties in Dalfsen; zie {LONG_URL} en mail {LONG_EMAIL}.",
                LONG_EMAIL,
                criteria="1,2",
                motivation=f"{LONG_WORD} {LONG_URL}",
            ),
            *base.candidates[1:],
        ),
    )


def _serve_local_mail(site: LiveSite, folder: Path) -> tuple[str, Callable[[], None]]:
    """A second server over the same App whose mail page reads `folder` (local mode)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(site.app, mail_dir=folder), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, name="mail-site", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the mail site did not start"
        time.sleep(0.02)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return f"http://127.0.0.1:{port}", stop


def _sign_in(page: Any, url: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Gebruikersnaam").fill("sanne")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{url}/procedures")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[World]:
    """One site, one browser: a published procedure full of long words, then one at the
    decision whose advice and adoption are recorded in the browser through their links."""
    folder = tmp_path_factory.mktemp("mobile")
    site = start_live_site(sqlite_url(folder), FrozenClock(START))
    app = site.app
    site.smtp.reject(BOUNCES)
    long_pid = _long_scenario().open(app)
    _long_scenario().drive_to(app, long_pid, Phase.PUBLICATION)
    support.publish(app, long_pid)
    with app.read() as db:
        candidate = db.scalars(select(m.Candidate.id).where(m.Candidate.title == LONG_TITLE)).one()
    at_decision = support.open_procedure(app, org="Provincie Drenthe")
    support.drive_to(app, at_decision, Phase.DECISION)
    site.deliver()

    # Local mode's folder: the mails the SMTP server received, as the file transport writes them.
    mail_dir = folder / "mail"
    mail_dir.mkdir()
    invitation = next(
        got for got in site.smtp.received if LONG_EMAIL in got.rcpt_tos and b"/expert/" in got.raw
    )
    for number, got in enumerate(site.smtp.received):
        (mail_dir / f"{number:04d}.eml").write_bytes(got.raw)
    (mail_dir / "uitnodiging.eml").write_bytes(invitation.raw)
    mail_url, stop_mail = _serve_local_mail(site, mail_dir)

    contexts: list[Any] = []

    def page() -> Any:
        context = browser.new_context(locale="nl-NL", viewport=PHONE)
        contexts.append(context)
        return context.new_page()

    ensure_user(app)
    facilitator, mail_reader = page(), page()
    _sign_in(facilitator, site.url)
    _sign_in(mail_reader, mail_url)
    expert = page()
    expert.goto(site.links_to(LONG_EMAIL)[-1])

    # The archivist records the advice through the link, management then the decision; both
    # today, after the list went out (driving the first procedure moved the clock on).
    today = site.clock().date().isoformat()
    archivist = page()
    archivist.goto(site.links_to("carla@org.example", "/advies/")[-1])
    archivist.get_by_label("Positief", exact=False).check()
    archivist.get_by_label("Kenmerk van de adviesbrief").fill("CO/2025/117")
    archivist.get_by_label("Datum van de adviesbrief").fill(today)
    archivist.get_by_role("button", name="Advies vastleggen").click()
    archivist.wait_for_url(f"{site.url}/vastgelegd")
    site.deliver()
    management = page()
    management.goto(site.links_to("dirk@org.example", "/besluit/")[-1])
    management.get_by_label("Vastgesteld", exact=False).check()
    management.get_by_label("Datum van het besluit").fill(today)
    management.get_by_label("Kenmerk van het besluit").fill("GS/2025/0412")
    management.get_by_role("button", name="Besluit vastleggen").click()
    management.get_by_role("button", name="Bevestigen en vastleggen").click()
    management.wait_for_url(f"{site.url}/vastgelegd")

    people = {
        "facilitator": facilitator,
        "mail_reader": mail_reader,
        "expert": expert,
        "archivist": archivist,
        "management": management,
        "anyone": page(),
    }
    yield World(site, mail_url, long_pid, candidate, "uitnodiging.eml", people)
    for context in contexts:
        context.close()
    stop_mail()
    site.stop()


# (who, where) per page, `{pid}`, `{cid}` and `{mail}` filled in from the world; `local` pages
# are on the local-mode server. The other GET routes that render a page are in
# test_narrow_screen.py. Left out everywhere, being no page: the CSV, xlsx and JSON exports
# (inventarisatie.csv/.xlsx, uitzonderingen.{fmt}, audit.csv/.xlsx/.json, hotspotlijst.{fmt}),
# the document downloads (/procedures/…/documenten/…, /advies/documenten/…,
# /besluit/documenten/…), the calendar file (/portaal/bijeenkomsten/….ics), the JSON API
# (/api/…), and the redirects: `/` (to the person's start page), `/taal/{code}` (back to the
# page), `/login/oidc` and its callback (to the identity provider and back) and the personal
# links /expert/…, /advies/… and /besluit/… (to /portaal, /advies and /besluit).
PAGES: dict[str, tuple[str, str]] = {
    "dashboard-long-names": ("facilitator", "/procedures"),
    "procedure-long-names": ("facilitator", "/procedures/{pid}"),
    "participants-long-addresses": ("facilitator", "/procedures/{pid}/deelnemers"),
    "candidates-long-titles": ("facilitator", "/procedures/{pid}/kandidaten"),
    "assessment-long-url": ("facilitator", "/procedures/{pid}/kandidaten/{cid}/beoordelen"),
    "audit-long-values": ("facilitator", "/procedures/{pid}/audit"),
    "deadlines-long-names": ("facilitator", "/procedures/{pid}/termijnen"),
    "inventory-long-titles": ("facilitator", "/procedures/{pid}/inventarisatie"),
    "public-list-long-titles": ("anyone", "/openbaar/{pid}"),
    "portal-long-address": ("expert", "/portaal"),
    "mail-failed-and-local": ("mail_reader", "local:/mail"),
    "mail-message": ("mail_reader", "local:/mail/{mail}"),
    "mail-message-html": ("mail_reader", "local:/mail/{mail}/html"),
    "recorded-advice": ("archivist", "/vastgelegd"),
    "recorded-decision": ("management", "/vastgelegd"),
}


def _address(world: World, where: str) -> str:
    path = where.removeprefix("local:").format(
        pid=world.long_pid, cid=world.candidate, mail=world.message
    )
    return f"{world.mail_url if where.startswith('local:') else world.site.url}{path}"


@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_fits_a_phone_and_axe_is_clean_at_both_widths(world: World, name: str) -> None:
    who, where = PAGES[name]
    page = world.people[who]
    address = _address(world, where)
    problems: list[str] = []
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        answer = page.goto(address)
        # The page asked for, not a login form or a refusal standing in for it.
        assert (answer.status, page.url) == (200, address), who
        if size is PHONE:
            problems += too_wide(page, PHONE["width"])
        problems += [f"axe @ {size['width']}: {line}" for line in serious_violations(page)]
    assert problems == [], f"{name} ({address}):\n" + "\n".join(problems)


def test_the_long_texts_are_on_the_pages(world: World) -> None:
    """The pages above show what they are meant to stress: long words and the failed mail."""
    facilitator = world.people["facilitator"]
    facilitator.goto(f"{world.site.url}/procedures/{world.long_pid}/kandidaten")
    assert LONG_WORD in facilitator.content()
    reader = world.people["mail_reader"]
    reader.goto(f"{world.mail_url}/mail")
    failed = reader.locator("table", has=reader.get_by_text(BOUNCES).first)
    assert failed.count() == 1 and "550" in failed.inner_text()
    reader.goto(f"{world.mail_url}/mail/{world.message}")
    assert "/expert/" in reader.locator("pre.mail").inner_text()
    world.people["expert"].goto(f"{world.site.url}/portaal")
    assert LONG_TITLE in world.people["expert"].content()


def test_the_check_reports_what_sticks_out_and_allows_a_scroll_region(world: World) -> None:
    """The measurement itself on a page built for it: a 600 px block outside a scroll region
    is reported with its tag, class and width; a 900 px table inside one is not."""
    page = world.people["anyone"]
    page.set_viewport_size(PHONE)
    # A blank page: the site's Content-Security-Policy would refuse these inline styles.
    page.goto("about:blank")
    page.set_content(
        "<main><div class='wide' style='width:600px'>x</div>"
        "<div style='overflow-x:auto'><table style='width:900px'><tr><td>y</td></tr></table>"
        "</div></main>"
    )
    problems = too_wide(page, PHONE["width"])
    assert problems[0] == "the page is 608 px wide"  # 600 and the body's default margin
    assert "<div.wide> left=8 width=600" in problems
    assert not any("table" in line or "<td" in line for line in problems)

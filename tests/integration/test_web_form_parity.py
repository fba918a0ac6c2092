"""The procedure page's forms and the JSON API are faces of the same declared commands.

Every command a facilitator may run (workflow/commands/declarations.py) has a form on the
procedure page, or is named below with the reason it has none there; and a form and the API
refuse the same input with the same rule codes, since both call the declared handler.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from states.audit_actions import AuditAction
from tests import support
from tests.web_support import logged_in, post_form
from workflow.app import App
from workflow.commands import procedures
from workflow.commands.declarations import COMMANDS, FACILITATOR
from workflow.resources import templates_dir
from workflow.web.form_faces import FORMS
from workflow.web.routes import facilitator, facilitator_actions
from workflow.web.routes.facilitator import page_of

# Commands with a form of their own, written by hand in facilitator_actions.py because the
# form does more than run the command: its URL under /procedures/{pid}.
HAND_WRITTEN = {
    # One failed message or all of them, with what was left out shown beside the success.
    AuditAction.MAIL_RETRY: "/mail/retry",
    # The public list's files are written after the publication is recorded.
    AuditAction.PUBLICATION_RECORD: "/publish",
}
# Facilitator commands without a form on the procedure page, each for its reason.
NOT_ON_THE_PAGE = {
    # There is no procedure page before the procedure is opened: the dashboard's form opens it
    # (POST /procedures, written by hand in workflow/web/routes/facilitator.py).
    AuditAction.PROCEDURE_INIT,
}

PROCEDURE_PAGE = templates_dir() / "web" / "facilitator" / "procedure.html"
# The facilitator's pages besides the procedure page that carry a command's form.
FACILITATOR_PAGES = templates_dir() / "web" / "facilitator"
FORM_PAGES = (
    PROCEDURE_PAGE,
    *(FACILITATOR_PAGES / f"{page}.html" for page in ("invitation", "inventory", "assessment")),
)
# The facilitator's rule codes, folded into the flash's <details>.
_CODE = re.compile(r"<code>([a-z_]+\.[a-z_]+)</code>")


def _post_routes() -> dict[str, APIRoute]:
    """The facilitator's form routes, as their routers hold them."""
    routes = [*facilitator.router.routes, *facilitator_actions.router.routes]
    return {r.path: r for r in routes if isinstance(r, APIRoute) and "POST" in (r.methods or set())}


def test_every_facilitator_command_has_a_form_on_the_procedure_page(app: App) -> None:
    template = "\n".join(page.read_text(encoding="utf-8") for page in FORM_PAGES)
    routes = _post_routes()
    web = logged_in(app)
    faces = {face.name: face.route for face in FORMS}
    assert not set(faces) & set(HAND_WRITTEN), "a command is both generic and hand-written"
    for command in COMMANDS:
        if FACILITATOR not in command.roles or command.name in NOT_ON_THE_PAGE:
            continue
        route = faces.get(command.name) or HAND_WRITTEN.get(command.name)
        assert route is not None, f"{command.name}: no form runs it (or list it as exception)"
        assert f"/procedures/{{pid}}{route}" in routes, f"{command.name}: no POST {route}"
        assert f'action="{{{{ base }}}}{route}"' in template, f"{command.name}: not on the page"
        # The running app answers there: without the CSRF token, 403 (not 404 or 405).
        assert web.post(f"{page_of('p')}{route}", data={}).status_code == 403, route
    # The exceptions stay honest: each is a facilitator command without a form on the page.
    for name in NOT_ON_THE_PAGE:
        assert name not in faces and name not in HAND_WRITTEN
    assert "/procedures" in routes  # the dashboard's form that opens a procedure


def test_every_form_face_is_a_route_of_its_own() -> None:
    """Each face is registered once, at its URL, by the loop (not shadowed by a hand route)."""
    routes = _post_routes()
    urls = [face.url for face in FORMS]
    assert len(urls) == len(set(urls))
    for face in FORMS:
        assert routes[face.url].name == face.endpoint_name


def _api(app: App) -> tuple[TestClient, dict[str, str]]:
    web = logged_in(app)
    answer = web.get("/api/session")
    assert answer.status_code == 200, answer.text
    return web, {"X-CSRF-Token": answer.json()["csrf_token"]}


def _form_codes(web: TestClient, pid: str, route: str, data: dict[str, Any]) -> list[str]:
    # Confirmed at once: an irreversible step's summary page is not what is compared here.
    response = post_form(web, f"{page_of(pid)}{route}", {**data, "confirmed": "1"}, page_of(pid))
    assert response.status_code == 303, response.text
    html = web.get(response.headers["location"]).text
    flash = html.split('<div class="flash flash-error"', 1)
    assert len(flash) == 2, "the form's refusal was not flashed"
    return _CODE.findall(flash[1].split("</div>", 1)[0])


def _api_codes(app: App, method: str, path: str, body: dict[str, Any] | None) -> list[str]:
    web, headers = _api(app)
    answer = web.request(method, f"/api{path}", json=body, headers=headers)
    assert answer.status_code == 409, answer.text
    codes: list[str] = answer.json()["codes"]
    return codes


@pytest.mark.parametrize(
    ("route", "form", "method", "api_path", "body"),
    [
        # Moving on from the workgroup phase with no workgroup: every unmet rule of it.
        ("/advance", {}, "POST", "/procedures/{pid}/advance", None),
        # A session while the workgroup is formed: the phase does not allow it.
        (
            "/sessions",
            {"at": "2025-06-12T14:00"},
            "POST",
            "/procedures/{pid}/sessions",
            {"at": "2025-06-12T14:00"},
        ),
        # A deviation from a rule about a recorded decision: only balance rules may be set aside.
        (
            "/deviations",
            {"rule": "decision.adoption", "reason": "Geen besluit nodig"},
            "POST",
            "/procedures/{pid}/deviations",
            {"rule_code": "decision.adoption", "reason": "Geen besluit nodig"},
        ),
        # A decision while the workgroup is formed: there is no concept list to decide on.
        (
            "/decision",
            {"decision": "adopted", "day": "2025-06-12", "ref": "GS/1"},
            "POST",
            "/procedures/{pid}/decision",
            {"adopted": True, "date": "2025-06-12", "ref": "GS/1"},
        ),
    ],
)
def test_a_form_and_the_api_refuse_with_the_same_rule_codes(
    app: App,
    route: str,
    form: dict[str, Any],
    method: str,
    api_path: str,
    body: dict[str, Any] | None,
) -> None:
    pid = support.open_procedure(app)
    # Into the workgroup phase (preparation has no rules to hold it back); still no workgroup.
    procedures.advance(app, pid, actor=support.ACTOR)
    from_api = _api_codes(app, method, api_path.format(pid=pid), body)
    from_form = _form_codes(logged_in(app), pid, route, form)
    assert from_api, "the API refused without a rule code"
    assert from_form == from_api, (from_form, from_api)

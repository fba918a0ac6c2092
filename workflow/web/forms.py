"""Form input for the HTML routes: every POST carries the session's CSRF token."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request

from workflow.web.session import check_csrf


async def checked_form(request: Request) -> FormData:
    """The posted form, after its CSRF token matched the session's (else 403)."""
    form = await request.form()
    token = form.get("csrf_token")
    check_csrf(request, token if isinstance(token, str) else None)
    return form


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def fields(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)]

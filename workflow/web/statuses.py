"""The HTTP status of each error of the workflow, for pages and the JSON API alike.

Its own module so that the routes (workflow.web.routes.api) and the error handlers of the
application (workflow.web.server, which mounts those routes) both read it without importing
each other.
"""

from __future__ import annotations

from states.errors import (
    Conflict,
    EnvironmentProblem,
    HotspotError,
    InvalidInput,
    NotFound,
    Refused,
)
from workflow.busy import Busy
from workflow.links import LinkRefused
from workflow.users import LoginRefused
from workflow.web.session import CsrfFailed, NotAllowed, NotLoggedIn

# The first kind an error is an instance of decides; anything else is a plain 400.
_STATUS: list[tuple[type[HotspotError], int]] = [
    (NotLoggedIn, 401),
    (LoginRefused, 401),
    (NotAllowed, 403),
    (CsrfFailed, 403),
    (LinkRefused, 403),
    (NotFound, 404),
    (Conflict, 409),
    (Refused, 409),
    (InvalidInput, 422),
    (EnvironmentProblem, 503),
    (Busy, 503),
]


def status_of(error: HotspotError) -> int:
    return next((code for kind, code in _STATUS if isinstance(error, kind)), 400)

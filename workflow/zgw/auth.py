"""The ZGW bearer token: an HS256 JWT with the client's id and the person it acts for.

The standard's claims: `iss` and `client_id` (the application), `iat` (now), `user_id` and
`user_representation` (the facilitator, as the case system's audit trail shows them). The
secret never comes from a file in the checkout or a stored setting: only from the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import jwt

from states.errors import EnvironmentProblem
from states.i18n import Text
from workflow.zgw import DEFAULT_SECRET_ENV


@dataclass(frozen=True, slots=True)
class Credentials:
    client_id: str
    secret: str = field(repr=False)
    user_id: str
    user_representation: str


def secret_from(env: Mapping[str, str] | None, name: str = DEFAULT_SECRET_ENV) -> str:
    """The client secret from the environment variable `name`; a clear problem when unset."""
    value = (os.environ if env is None else env).get(name, "")
    if not value:
        raise EnvironmentProblem(
            name,
            Text(
                f"het geheim van het zaaksysteem ontbreekt: zet de omgevingsvariabele {name}",
                f"the case system's secret is missing: set the environment variable {name}",
            ),
        )
    return value


def bearer_token(credentials: Credentials, issued_at: float) -> str:
    """A token issued at `issued_at` (seconds since the epoch). The case system measures its
    age against its own clock, so this is the real time even when the application's clock is
    set (`HOTSPOT_NOW`, a simulation)."""
    claims = {
        "iss": credentials.client_id,
        "iat": int(issued_at),
        "client_id": credentials.client_id,
        "user_id": credentials.user_id,
        "user_representation": credentials.user_representation,
    }
    return jwt.encode(claims, credentials.secret, algorithm="HS256")

"""Web settings: the `[web]` table of the configuration, overridden by the environment.

Like `[mail]`, this configures the installation, not a procedure: it is never stored with a
procedure, and an organisation file that contains it is refused. Kept out of workflow.web so
that reading it does not import the web framework (every CLI command reads the settings).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from states.bounded import whole_number_setting
from states.errors import InvalidInput
from states.i18n import Text

WEB_TABLE = "web"
OIDC_TABLE = "oidc"

# name in [web], environment variable, smallest and largest sensible value
_LIMITS: dict[str, tuple[str, int, int]] = {
    "max_body_bytes": ("HOTSPOT_WEB_MAX_BODY_BYTES", 1_024, 16 * 1024 * 1024),
    "max_upload_bytes": ("HOTSPOT_WEB_MAX_UPLOAD_BYTES", 1_024, 256 * 1024 * 1024),
    "session_idle_minutes": ("HOTSPOT_SESSION_IDLE_MINUTES", 1, 24 * 60),
    "session_hours": ("HOTSPOT_SESSION_HOURS", 1, 7 * 24),
    "login_floor_ms": ("HOTSPOT_LOGIN_FLOOR_MS", 0, 60_000),
    "retry_after_seconds": ("HOTSPOT_RETRY_AFTER_SECONDS", 1, 3_600),
    "login_queue": ("HOTSPOT_LOGIN_QUEUE", 1, 1_000),
    "login_per_client": ("HOTSPOT_LOGIN_PER_CLIENT", 1, 1_000),
    "login_wait_seconds": ("HOTSPOT_LOGIN_WAIT_SECONDS", 1, 300),
    "body_timeout_seconds": ("HOTSPOT_WEB_BODY_TIMEOUT_SECONDS", 1, 3_600),
    "header_timeout_seconds": ("HOTSPOT_WEB_HEADER_TIMEOUT_SECONDS", 1, 3_600),
    "keep_alive_seconds": ("HOTSPOT_WEB_KEEP_ALIVE_SECONDS", 1, 3_600),
    "max_connections": ("HOTSPOT_WEB_MAX_CONNECTIONS", 10, 100_000),
    "max_header_bytes": ("HOTSPOT_WEB_MAX_HEADER_BYTES", 4_096, 1024 * 1024),
    "db_statement_timeout_ms": ("HOTSPOT_DB_STATEMENT_TIMEOUT_MS", 100, 3_600_000),
    "db_lock_timeout_ms": ("HOTSPOT_DB_LOCK_TIMEOUT_MS", 100, 3_600_000),
    "ready_timeout_seconds": ("HOTSPOT_READY_TIMEOUT_SECONDS", 1, 300),
}


@dataclass(frozen=True, slots=True)
class WebSettings:
    # A JSON body or a form (not a file upload) larger than this is refused with 413 before
    # it is read; the largest real one (a long motivation) is a few kB.
    max_body_bytes: int = 64 * 1024
    # The expert CSV upload: a few hundred lines are a few kB.
    max_upload_bytes: int = 1024 * 1024
    # A session ends after this long without a request, and in any case this long after login.
    session_idle_minutes: int = 30
    session_hours: int = 8
    # Every failed login answers no sooner than this after the request came in, whatever failed.
    login_floor_ms: int = 1_000
    # What a 503 (database unreachable) asks the client to wait.
    retry_after_seconds: int = 30
    # Logins waiting for their password check at once (a full queue answers 503 at once),
    # how many of them one client address may hold, and how long one waits at most.
    login_queue: int = 8
    login_per_client: int = 4
    login_wait_seconds: int = 8
    # A request's whole body must have come in this long after the request began (else 408),
    # and its headers this long after the connection opened or went quiet (else it closes).
    body_timeout_seconds: int = 30
    header_timeout_seconds: int = 10
    # `hotspot serve`: an idle keep-alive connection closes after this long; more open
    # connections than max_connections get 503; a header block over max_header_bytes gets 400.
    keep_alive_seconds: int = 5
    max_connections: int = 1_000
    max_header_bytes: int = 16 * 1024
    # PostgreSQL, for every process of the installation: a statement, or a wait for a lock,
    # that takes longer fails, so a request answers 503 in bounded time instead of hanging.
    # (SQLite waits at most 15 seconds for another writer's lock, then fails the same way.)
    db_statement_timeout_ms: int = 30_000
    db_lock_timeout_ms: int = 10_000
    # /ready answers 503 when its database check takes longer than this.
    ready_timeout_seconds: int = 5
    # Sign-in through the organisation's identity provider ([web.oidc]); None: passwords only.
    oidc: OidcSettings | None = None

    @classmethod
    def from_sources(cls, table: Mapping[str, Any], env: Mapping[str, str]) -> WebSettings:
        """The `[web]` table with the HOTSPOT_* environment variables on top."""
        oidc = OidcSettings.from_sources(table.get(OIDC_TABLE) or {}, env)
        table = {key: value for key, value in table.items() if key != OIDC_TABLE}
        unknown = sorted(set(table) - set(_LIMITS))
        if unknown:
            raise InvalidInput(
                f"web.{unknown[0]}",
                Text(
                    f"onbekende instelling; bekend: {', '.join(sorted(_LIMITS))}",
                    f"unknown setting; known: {', '.join(sorted(_LIMITS))}",
                ),
            )
        base = cls()
        values: dict[str, int] = {}
        for name, (variable, low, high) in _LIMITS.items():
            values[name] = whole_number_setting(
                table,
                name,
                getattr(base, name),
                f"web.{name}",
                low,
                high,
                env=env,
                variable=variable,
                clip=None,
            )
        return cls(**values, oidc=oidc)


# --- OpenID Connect ------------------------------------------------------------------------------

# name in [web.oidc] -> the environment variable that wins over it.
_OIDC_ENV = {
    "issuer": "HOTSPOT_OIDC_ISSUER",
    "client_id": "HOTSPOT_OIDC_CLIENT_ID",
    "organisation": "HOTSPOT_OIDC_ORGANISATION",
    "role_claim": "HOTSPOT_OIDC_ROLE_CLAIM",
    "groups_claim": "HOTSPOT_OIDC_GROUPS_CLAIM",
    "group_roles": "HOTSPOT_OIDC_GROUP_ROLES",
    "unknown_users": "HOTSPOT_OIDC_UNKNOWN_USERS",
    "password_login": "HOTSPOT_OIDC_PASSWORD_LOGIN",
    "scopes": "HOTSPOT_OIDC_SCOPES",
    "redirect_uri": "HOTSPOT_OIDC_REDIRECT_URI",
}
# The client secret is read from the environment only: never from a file in the checkout.
OIDC_SECRET_ENV = "HOTSPOT_OIDC_CLIENT_SECRET"
_UNKNOWN_USERS = ("refuse", "create")
_ACCOUNT_ROLES = ("procesbegeleider", "informatiebeheerder", "archivaris")


def _refused(name: str, nl: str, en: str) -> InvalidInput:
    return InvalidInput(f"web.oidc.{name}", Text(nl, en))


def _yes_no(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in ("1", "true", "yes", "ja", "on"):
        return True
    if word in ("0", "false", "no", "nee", "off"):
        return False
    raise _refused(name, "kies true of false", "choose true or false")


def _group_roles(value: Any) -> dict[str, str]:
    """A table {group = role}, or as the environment writes it: "group=role,group=role"."""
    if isinstance(value, Mapping):
        pairs = [(str(group), str(role)) for group, role in value.items()]
    else:
        pairs = []
        for item in str(value or "").split(","):
            if item.strip():
                group, sep, role = item.partition("=")
                if not sep:
                    raise _refused(
                        "group_roles",
                        f"schrijf groep=rol, niet {item.strip()!r}",
                        f"write group=role, not {item.strip()!r}",
                    )
                pairs.append((group.strip(), role.strip()))
    for group, role in pairs:
        if role not in _ACCOUNT_ROLES:
            raise _refused(
                "group_roles",
                f"groep {group}: kies een van de rollen {', '.join(_ACCOUNT_ROLES)}",
                f"group {group}: choose one of the roles {', '.join(_ACCOUNT_ROLES)}",
            )
    return dict(pairs)


@dataclass(frozen=True, slots=True)
class OidcSettings:
    """Sign-in through the organisation's OpenID Connect provider (workflow.web.oidc)."""

    issuer: str
    client_id: str
    client_secret: str
    # Shown on the login page: "Inloggen via <organisation>".
    organisation: str = "uw organisatie"
    # The ID token's claim that names the role (procesbegeleider, informatiebeheerder,
    # archivaris); or, when group_roles is set, the claim with the groups it maps.
    role_claim: str = "hotspot_role"
    groups_claim: str = "groups"
    group_roles: Mapping[str, str] = field(default_factory=dict)
    # "refuse": only accounts linked before (`hotspot user link`) sign in; "create": a new
    # account is made at the first sign-in.
    unknown_users: str = "refuse"
    # Whether the password form stays on the login page beside the provider's button.
    password_login: bool = True
    scopes: str = "openid profile email"
    # The callback URL as the provider knows it; empty: derived from the request.
    redirect_uri: str = ""

    @classmethod
    def from_sources(cls, table: Mapping[str, Any], env: Mapping[str, str]) -> OidcSettings | None:
        """[web.oidc] with HOTSPOT_OIDC_* on top; None when no issuer is configured."""
        known = set(_OIDC_ENV)
        if "client_secret" in table:
            raise _refused(
                "client_secret",
                f"het clientgeheim staat niet in een bestand; zet het in {OIDC_SECRET_ENV}",
                f"the client secret is not kept in a file; set it in {OIDC_SECRET_ENV}",
            )
        unknown = sorted(set(table) - known)
        if unknown:
            raise _refused(
                unknown[0],
                f"onbekende instelling; bekend: {', '.join(sorted(known))}",
                f"unknown setting; known: {', '.join(sorted(known))}",
            )
        values: dict[str, Any] = dict(table)
        for name, variable in _OIDC_ENV.items():
            if env.get(variable):
                values[name] = env[variable]
        issuer = str(values.get("issuer") or "").strip().rstrip("/")
        if not issuer:
            return None
        if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise _refused(
                "issuer",
                "de identiteitsprovider moet via https bereikbaar zijn",
                "the identity provider must be reached over https",
            )
        client_id = str(values.get("client_id") or "").strip()
        secret = env.get(OIDC_SECRET_ENV, "")
        if not client_id or not secret:
            raise _refused(
                "client_id",
                f"met een issuer horen een client_id en het geheim in {OIDC_SECRET_ENV}",
                f"an issuer needs a client_id and the secret in {OIDC_SECRET_ENV}",
            )
        unknown_users = str(values.get("unknown_users") or "refuse").strip().lower()
        if unknown_users not in _UNKNOWN_USERS:
            raise _refused("unknown_users", "kies refuse of create", "choose refuse or create")
        base = cls(issuer=issuer, client_id=client_id, client_secret=secret)
        return cls(
            issuer=issuer,
            client_id=client_id,
            client_secret=secret,
            organisation=str(values.get("organisation") or base.organisation),
            role_claim=str(values.get("role_claim") or base.role_claim),
            groups_claim=str(values.get("groups_claim") or base.groups_claim),
            group_roles=_group_roles(values.get("group_roles")),
            unknown_users=unknown_users,
            password_login=_yes_no("password_login", values.get("password_login", True)),
            scopes=str(values.get("scopes") or base.scopes),
            redirect_uri=str(values.get("redirect_uri") or ""),
        )

    def __repr__(self) -> str:
        # The secret never reaches a log line or a traceback.
        return f"OidcSettings(issuer={self.issuer!r}, client_id={self.client_id!r}, ...)"

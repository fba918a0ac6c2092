"""Web settings: the `[web]` table of the configuration, overridden by the environment.

Like `[mail]`, this configures the installation, not a procedure: it is never stored with a
procedure, and an organisation file that contains it is refused. Kept out of workflow.web so
that reading it does not import the web framework (every CLI command reads the settings).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from states.bounded import whole_number_setting
from states.errors import InvalidInput
from states.i18n import Text

WEB_TABLE = "web"

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

    @classmethod
    def from_sources(cls, table: Mapping[str, Any], env: Mapping[str, str]) -> WebSettings:
        """The `[web]` table with the HOTSPOT_* environment variables on top."""
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
        return cls(**values)

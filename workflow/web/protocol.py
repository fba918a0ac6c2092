"""uvicorn's HTTP/1.1 protocol with a deadline for a request's headers.

uvicorn times out an idle keep-alive connection, but not one that is opened and then sends
its request line and headers a byte at a time, or never finishes them: thousands of those hold
a connection, a task and a buffer each, for good. Here a connection must have sent a whole
request head within `header_timeout` seconds of opening, or of sending the first byte of its
next request after a response; otherwise it is closed. (The body has its own deadline in the
app: server.BodyLimit.) In production a reverse proxy in front does the same with its own
timeouts; this keeps `hotspot serve` safe on its own. After a burst of connections has closed,
the memory their buffers held is handed back to the system (see the end of this module).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
from collections.abc import Callable
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


class DeadlineH11Protocol(H11Protocol):
    """H11Protocol that closes a connection whose request head does not arrive in time."""

    header_timeout: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._head_deadline is None and self.conn.their_state is h11.IDLE:
            # The first bytes of a next request on a kept-alive connection.
            self._arm()
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)
        _closed_one(self.loop)

    def _arm(self) -> None:
        self._disarm()
        self._head_deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _too_slow(self) -> None:
        self._head_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def deadline_protocol(header_timeout: float) -> type[DeadlineH11Protocol]:
    """The protocol class for uvicorn's `http=` with this header deadline."""
    return type(
        "HeaderDeadlineH11Protocol", (DeadlineH11Protocol,), {"header_timeout": header_timeout}
    )


# --- giving memory back after a burst ----------------------------------------------------------

# Each connection's buffers are freed when it closes, but glibc keeps freed memory for reuse
# instead of returning it: after thousands of slow connections the server would stay at its
# peak size for good. After this many connections have closed, a moment later, the free memory
# is handed back (malloc_trim; a few milliseconds, and only where glibc is the C library).
TRIM_AFTER_CLOSED = 200
_TRIM_DELAY = 2.0


class _Trim:
    closed = 0
    pending = False


def _libc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


_MALLOC_TRIM = _libc_trim()


def _closed_one(loop: asyncio.AbstractEventLoop) -> None:
    _Trim.closed += 1
    if _MALLOC_TRIM is not None and _Trim.closed >= TRIM_AFTER_CLOSED and not _Trim.pending:
        _Trim.pending = True
        loop.call_later(_TRIM_DELAY, _trim_now)


def _trim_now() -> None:
    _Trim.closed = 0
    _Trim.pending = False
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)

"""Password hashes: argon2id; for the web app, checked in one low-priority helper process
behind a bounded queue.

argon2 costs a fifth of a second of CPU and 64 MiB of memory per check, on purpose. Run in
the web process, a flood of wrong logins takes cores and memory bandwidth from every other
request, so the web app hands each check to a helper process at the lowest CPU priority (nice
19): it computes only when nothing else wants the CPU and never holds a lock of the web
process. One check at a time: a flood costs at most one core's worth of low-priority work.

What keeps a flood from blocking real logins:
- The queue is bounded (`login_queue`, counting the logins still reading their account):
  a login that finds it full is answered at once with `Busy` (503 with Retry-After), never
  queued behind hundreds of others. With 8 places and 0.2 s a check, a login that gets a
  place has its answer within about two seconds.
- One client address holds at most `login_per_client` places, so a flood from one address
  leaves room for the others.
- A login whose client has gone (the connection closed while it waited) leaves the queue
  unchecked: `Slot.verify` watches for the disconnect and cancels its job.
- No wait is unbounded: a login waits at most `login_wait_seconds` for its check (then
  `Busy`), and the dispatcher gives the helper at most `HELPER_TIMEOUT` seconds per check.
  A helper that died, was stopped (SIGSTOP) or hangs is killed and replaced; the check in
  hand is done in the dispatcher thread instead (argon2 releases the interpreter lock).

The helper is a plain `python -c` child speaking one JSON line per check over its pipes:
started on first use, it imports nothing of the web process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import structlog
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from workflow.busy import Busy

log = structlog.get_logger("hotspot")

HASHER = PasswordHasher()
# A check takes 0.2 s; one that has not come back after this long is not coming: the helper
# is stopped, hung or starved, and is replaced.
HELPER_TIMEOUT = 10.0
# How often the dispatcher looks whether the helper still runs while it waits for an answer.
_POLL = 0.1


def verify(hashed: str, password: str) -> bool:
    """Whether `password` matches the argon2 hash; never raises for a wrong or odd hash."""
    try:
        return HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


# --- the helper process -------------------------------------------------------------------------

_HELPER_CODE = "from workflow.hashing import helper_main; helper_main()"


def helper_main() -> None:
    """The helper's loop: one JSON line [hash, password] in, one line "1" or "0" out."""
    with contextlib.suppress(AttributeError, OSError):
        os.nice(19)
    for line in sys.stdin:
        hashed, password = json.loads(line)
        sys.stdout.write("1\n" if verify(hashed, password) else "0\n")
        sys.stdout.flush()


class HelperFailed(Exception):
    """The helper died, was stopped, or did not answer in time; it has been killed."""


class _Helper:
    """One helper process and its pipes."""

    def __init__(self) -> None:
        root = Path(__file__).resolve().parent.parent
        path = os.environ.get("PYTHONPATH", "")
        self.process = subprocess.Popen(
            [sys.executable, "-c", _HELPER_CODE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=root,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), path]))},
            # Its own process group: a Ctrl-C in the terminal is the server's to handle.
            start_new_session=True,
        )
        self.stdin: IO[bytes] = self.process.stdin  # type: ignore[assignment]
        self.stdout: IO[bytes] = self.process.stdout  # type: ignore[assignment]

    @property
    def pid(self) -> int:
        return self.process.pid

    def check(self, hashed: str, password: str, timeout: float) -> bool:
        """The helper's verdict; HelperFailed (and the helper killed) when it gives none."""
        try:
            self.stdin.write(json.dumps([hashed, password]).encode() + b"\n")
            self.stdin.flush()
        except OSError:
            self.kill()
            raise HelperFailed("gone") from None
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self.stdout, selectors.EVENT_READ)
            while not selector.select(_POLL):
                why = self._stuck(deadline)
                if why:
                    self.kill()
                    raise HelperFailed(why)
        answer = self.stdout.readline()
        if answer not in (b"1\n", b"0\n"):
            self.kill()
            raise HelperFailed("gone")
        return answer == b"1\n"

    def _stuck(self, deadline: float) -> str | None:
        if self.process.poll() is not None:
            return "gone"
        if _stopped(self.pid):
            return "stopped"
        if time.monotonic() > deadline:
            return "timeout"
        return None

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            # SIGKILL also ends a stopped process; the group takes any child along.
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            self.process.wait(5)
        for pipe in (self.stdin, self.stdout):
            with contextlib.suppress(OSError):
                pipe.close()


def _stopped(pid: int) -> bool:
    """Whether the process is stopped (SIGSTOP, a debugger): its state in /proc is T or t."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # "pid (name) S ...": the state follows the last ")".
    return stat.rpartition(")")[2].split()[:1] in (["T"], ["t"])


# --- the queue ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Limits:
    """The queue's bounds, from the `[web]` settings."""

    # Logins that may wait at once, from reading the account to the end of the check.
    queue: int = 8
    # Of those, from one client address.
    per_client: int = 4
    # The longest a login waits for its check.
    wait_seconds: float = 8.0
    # What a Busy answer asks the client to wait.
    retry_after: int = 5


@dataclass(eq=False)
class _Job:
    hashed: str
    password: str
    future: Future[bool] = field(default_factory=Future)


class Slot:
    """One login's place in the queue, from before its account is read until it is answered."""

    def __init__(self, verifier: Verifier, client: str) -> None:
        self.verifier = verifier
        self.client = client
        self.job: _Job | None = None
        self.released = False

    async def verify(
        self,
        hashed: str,
        password: str,
        *,
        disconnected: Callable[[], Awaitable[object]] | None = None,
    ) -> bool:
        """The check's outcome; Busy when it takes too long; ClientGone when the client left.

        Either way the job leaves the queue: a check that has not started is never run.
        """
        job = self.verifier._enqueue(self, hashed, password)
        waiting: asyncio.Future[Any] = asyncio.wrap_future(job.future)
        watch: asyncio.Future[Any] | None = (
            asyncio.ensure_future(disconnected()) if disconnected is not None else None
        )
        try:
            done, _ = await asyncio.wait(
                [waiting] if watch is None else [waiting, watch],
                timeout=self.verifier.limits.wait_seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if waiting in done:
                return bool(waiting.result())
            if watch is not None and watch in done:
                raise ClientGone()
            self.verifier.timeouts += 1
            raise Busy(self.verifier.limits.retry_after, "timeout")
        finally:
            job.future.cancel()  # no effect once the check has started
            if watch is not None:
                watch.cancel()

    def release(self) -> None:
        self.verifier._release(self)

    def __enter__(self) -> Slot:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


class ClientGone(Exception):
    """The client closed the connection while its login waited: nothing to answer."""


class Verifier:
    """The bounded queue of password checks, its dispatcher thread and its helper process."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._lock = threading.Condition()
        self._queue: deque[_Job] = deque()
        self._slots = 0
        self._by_client: Counter[str] = Counter()
        self._thread: threading.Thread | None = None
        self._helper: _Helper | None = None
        self._closed = False
        # For the operational log and the tests.
        self.refused = 0
        self.timeouts = 0
        self.cancelled = 0
        self.checked = 0
        self.replaced = 0

    def reserve(self, client: str) -> Slot:
        """A place for a login from `client`, or Busy when the queue or the client is full."""
        with self._lock:
            if self._slots >= self.limits.queue or self._by_client[client] >= min(
                self.limits.per_client, self.limits.queue
            ):
                self.refused += 1
                reason = "queue" if self._slots >= self.limits.queue else "client"
                raise Busy(self.limits.retry_after, reason)
            self._slots += 1
            self._by_client[client] += 1
        return Slot(self, client)

    def _release(self, slot: Slot) -> None:
        with self._lock:
            if slot.released:
                return
            slot.released = True
            self._slots -= 1
            self._by_client[slot.client] -= 1
            if self._by_client[slot.client] <= 0:
                del self._by_client[slot.client]
            job = slot.job
            if job is not None and job in self._queue:
                self._queue.remove(job)

    def _enqueue(self, slot: Slot, hashed: str, password: str) -> _Job:
        job = _Job(hashed, password)
        slot.job = job
        job.future.add_done_callback(lambda f: self._forget(job) if f.cancelled() else None)
        with self._lock:
            self._queue.append(job)
            if self._thread is None or not self._thread.is_alive():
                self._closed = False
                self._thread = threading.Thread(target=self._run, name="argon2", daemon=True)
                self._thread.start()
            self._lock.notify()
        return job

    def _forget(self, job: _Job) -> None:
        with self._lock:
            if job in self._queue:
                self._queue.remove(job)
                self.cancelled += 1

    def pending(self) -> int:
        with self._lock:
            return self._slots

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._closed:
                    self._lock.wait()
                if self._closed:
                    return
                job = self._queue.popleft()
            if not job.future.set_running_or_notify_cancel():
                continue  # its client left or gave up before the check began
            try:
                result = self._check(job.hashed, job.password)
            except BaseException as error:  # pragma: no cover - verify() does not raise
                job.future.set_exception(error)
            else:
                job.future.set_result(result)
                self.checked += 1

    def _check(self, hashed: str, password: str) -> bool:
        helper = self._helper
        if helper is None:
            try:
                helper = self._helper = _Helper()
            except OSError as error:
                log.error("login.helper_unavailable", error=str(error))
                return verify(hashed, password)
        try:
            return helper.check(hashed, password, HELPER_TIMEOUT)
        except HelperFailed as failure:
            # As after SIGKILL: this check here, a new helper for the next one.
            self._helper = None
            if not self._closed:
                self.replaced += 1
                log.error("login.helper_replaced", pid=helper.pid, why=str(failure))
            return verify(hashed, password)

    def helper_pid(self) -> int | None:
        helper = self._helper
        return helper.pid if helper is not None else None

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            jobs = list(self._queue)
            self._queue.clear()
            self._lock.notify_all()
        for job in jobs:
            job.future.cancel()
        helper, self._helper = self._helper, None
        if helper is not None:
            helper.kill()


VERIFIER = Verifier()


def configure(limits: Limits) -> None:
    """Set the queue's bounds (the web app does, from its settings)."""
    VERIFIER.limits = limits


def stats() -> dict[str, Any]:
    """Counters for the operational log."""
    return {
        "pending": VERIFIER.pending(),
        "refused": VERIFIER.refused,
        "timeouts": VERIFIER.timeouts,
        "cancelled": VERIFIER.cancelled,
        "checked": VERIFIER.checked,
        "replaced": VERIFIER.replaced,
    }


def shutdown() -> None:
    """Stop the dispatcher and the helper (at the end of `hotspot serve`)."""
    VERIFIER.shutdown()

"""A Zaken API client: searching cases of a hotspot, reading and changing one case.

Every request carries a fresh bearer token (workflow.zgw.auth) and the CRS headers the Zaken
API asks for. Connection errors, 429 and 5xx are tried again with growing waits (a
`Retry-After` is honoured); other answers go back to the caller, who decides (a 403 on a closed
case is a refusal to report, never something to retry). A budget of requests per second and a
cap on requests at once keep a large apply from overrunning the case system. The token never
leaves the configured API: a case URL or a next page elsewhere is refused.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import TracebackType
from typing import Any

import httpx

from workflow.zgw.auth import Credentials, bearer_token
from workflow.zgw.cases import Case, case_from_api

CRS = "EPSG:4326"
# Open Zaak's largest page of search results.
PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 6
    first_wait: float = 0.5
    max_wait: float = 30.0

    def wait(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_wait)
        # Full jitter: concurrent requests that failed together do not return together.
        return random.uniform(0, min(self.max_wait, self.first_wait * 2**attempt))


@dataclass(frozen=True, slots=True)
class CaseQuery:
    """The cases of a hotspot: of these case types, overlapping its period (an open end means
    until today), optionally with a word in their description and within an area (a GeoJSON
    polygon in EPSG:4326, workflow.zgw.area)."""

    zaaktypen: tuple[str, ...]
    period_start: date
    period_end: date | None = None
    keyword: str | None = None
    area: dict[str, Any] | None = field(default=None, hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: Any


class ZgwError(Exception):
    """The case system answered something this client cannot use."""

    def __init__(self, message: str, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class Unavailable(ZgwError):
    """Still no usable answer after every retry: the case system is down or overloaded."""


class ZaakClient:
    """One Zaken API; use as `async with ZaakClient(...) as client:`."""

    def __init__(
        self,
        zaken_url: str,
        credentials: Credentials,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        verify: bool | str = True,
        concurrency: int = 8,
        requests_per_second: float = 25.0,
        retry: RetryPolicy = RetryPolicy(),
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base = zaken_url.rstrip("/") + "/"
        self._credentials = credentials
        self._now = now
        self._retry = retry
        self._gate = asyncio.Semaphore(concurrency)
        self._interval = 1.0 / requests_per_second if requests_per_second > 0 else 0.0
        self._next_start = 0.0
        self._pace = asyncio.Lock()
        # TLS is verified unless a CA bundle is named instead; never switched off.
        self._http = httpx.AsyncClient(verify=verify, timeout=timeout, transport=transport)
        self.requests = 0

    async def __aenter__(self) -> ZaakClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._http.aclose()

    # -- the operations ---------------------------------------------------------------------

    async def search(
        self, query: CaseQuery, on_page: Callable[[int, int], None] | None = None
    ) -> list[Case]:
        """Every case of the query, each once, in the order the API gives them.

        Two searches, because the API cannot say "ended after the start, or not ended": the
        open cases and the ones that ended on or after the period's start. Both are paged;
        `on_page(cases so far, cases in all)` reports progress after every page.
        """
        last_day = query.period_end or self._now().date()
        common: dict[str, Any] = {
            "zaaktype__in": list(query.zaaktypen),
            "startdatum__lte": last_day.isoformat(),
        }
        if query.keyword:
            common["omschrijving"] = query.keyword
        if query.area is not None:
            common["zaakgeometrie"] = {"within": query.area}
        day_before = query.period_start - timedelta(days=1)
        found: dict[str, Case] = {}
        totals: list[int] = []
        for extra in ({"einddatum__isnull": True}, {"einddatum__gt": day_before.isoformat()}):
            url: str | None = self._url(f"zaken/_zoek?pageSize={PAGE_SIZE}")
            read: set[str] = set()
            first = True
            while url is not None:
                answer = await self.call("POST", url, json={**common, **extra})
                if answer.status != 200 or not isinstance(answer.body, dict):
                    raise ZgwError(
                        f"searching cases answered {answer.status}", answer.status, answer.body
                    )
                if first:
                    totals.append(int(answer.body.get("count") or 0))
                    first = False
                for item in answer.body.get("results") or ():
                    case = _case(item)
                    found.setdefault(case.url, case)
                if on_page is not None:
                    on_page(len(found), sum(totals))
                url = self.next_page(answer.body.get("next"), read)
        return list(found.values())

    async def read_many(self, case_urls: Sequence[str]) -> dict[str, Case]:
        """The current state of many cases, a hundred per request (`uuid__in`), by URL; a case
        the API no longer has is missing from the answer."""
        wanted = {self._same_api(url).rstrip("/").rsplit("/", 1)[1]: url for url in case_urls}
        uuids = list(wanted)
        found: dict[str, Case] = {}
        for start in range(0, len(uuids), PAGE_SIZE):
            chunk = uuids[start : start + PAGE_SIZE]
            url: str | None = self._url(f"zaken/_zoek?pageSize={PAGE_SIZE}")
            read: set[str] = set()
            while url is not None:
                answer = await self.call("POST", url, json={"uuid__in": chunk})
                if answer.status != 200 or not isinstance(answer.body, dict):
                    message = f"reading cases answered {answer.status}"
                    raise ZgwError(message, answer.status, answer.body)
                for item in answer.body.get("results") or ():
                    case = _case(item)
                    found[case.url] = case
                url = self.next_page(answer.body.get("next"), read)
        return found

    async def read(self, case_url: str) -> Case:
        answer = await self.call("GET", self._same_api(case_url))
        if answer.status != 200 or not isinstance(answer.body, dict):
            raise ZgwError(
                f"reading {case_url} answered {answer.status}", answer.status, answer.body
            )
        return _case(answer.body)

    async def patch(self, case_url: str, body: dict[str, Any], toelichting: str) -> Answer:
        """Change a case; the answer (any status) goes back to the caller to record."""
        headers: dict[str, str | bytes] = {"X-Audit-Toelichting": _header_text(toelichting)}
        return await self.call("PATCH", self._same_api(case_url), json=body, headers=headers)

    async def audit_trail(self, case_url: str) -> list[dict[str, Any]]:
        answer = await self.call("GET", self._same_api(case_url).rstrip("/") + "/audittrail")
        if answer.status != 200 or not isinstance(answer.body, list):
            raise ZgwError(f"reading the audit trail answered {answer.status}", answer.status)
        return answer.body

    # -- requests -----------------------------------------------------------------------------

    async def call(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        headers: dict[str, str | bytes] | None = None,
    ) -> Answer:
        """One request with its retries; raises Unavailable when none got a usable answer."""
        last: str = ""
        for attempt in range(self._retry.attempts):
            retry_after: float | None = None
            try:
                async with self._gate:
                    await self._wait_turn()
                    self.requests += 1
                    response = await self._http.request(
                        method, url, json=json, headers=self._headers(headers)
                    )
            except httpx.TransportError as error:
                last = f"{type(error).__name__}: {error}"
            else:
                if response.status_code != 429 and response.status_code < 500:
                    return Answer(response.status_code, _body(response))
                last = f"HTTP {response.status_code}"
                retry_after = _retry_after(response.headers.get("Retry-After"), datetime.now(UTC))
            if attempt + 1 < self._retry.attempts:
                await asyncio.sleep(self._retry.wait(attempt, retry_after))
        raise Unavailable(f"{method} {url}: no answer after {self._retry.attempts} tries ({last})")

    async def _wait_turn(self) -> None:
        if not self._interval:
            return
        loop = asyncio.get_running_loop()
        async with self._pace:
            moment = loop.time()
            start = max(moment, self._next_start)
            self._next_start = start + self._interval
        if start > moment:
            await asyncio.sleep(start - moment)

    def _headers(self, extra: dict[str, str | bytes] | None) -> dict[bytes, bytes]:
        headers: dict[str, str | bytes] = {
            "Authorization": f"Bearer {bearer_token(self._credentials, time.time())}",
            "Accept": "application/json",
            "Accept-Crs": CRS,
            "Content-Crs": CRS,
            **(extra or {}),
        }
        return {
            name.encode("ascii"): value if isinstance(value, bytes) else value.encode("ascii")
            for name, value in headers.items()
        }

    def _url(self, path: str) -> str:
        return self.base + path

    def next_page(self, following: Any, read: set[str]) -> str | None:
        """The next page's URL; a page read before (a loop) or no text is the API's fault."""
        if not following:
            return None
        if not isinstance(following, str) or following in read:
            raise ZgwError(f"the case system's paging does not move on ({following!r})")
        read.add(following)
        return self._same_api(following)

    def _same_api(self, url: str) -> str:
        if not url.startswith(self.base):
            raise ZgwError(f"{url} is not in the configured Zaken API ({self.base})")
        return url


def _case(item: Any) -> Case:
    """A case from an answer; an answer that is no case is the case system's fault."""
    try:
        return case_from_api(item)
    except (ValueError, TypeError, AttributeError) as error:
        raise ZgwError(
            f"the case system answered with something that is no case: {error}"
        ) from None


def _body(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text[:2000]


def _retry_after(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - now).total_seconds())


def _header_text(text: str) -> bytes:
    # A header is one line of Latin-1 (as the server's WSGI layer reads it): line breaks go,
    # "één" stays, characters beyond Latin-1 become "?".
    flat = " ".join(text.split())
    return flat.encode("latin-1", "replace")[:1000]

"""The Zaken API client's own rules, against an in-process fake server (httpx.MockTransport):
retries with backoff on 429, 5xx and dropped connections, no retry on a refusal, the token's
claims, and a token that never leaves the configured API. Open Zaak itself is in
tests/integration/test_openzaak_cases.py."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import httpx
import jwt
import pytest

from states.errors import EnvironmentProblem
from workflow.zgw.apply import Result, Target, apply
from workflow.zgw.auth import Credentials, bearer_token, secret_from
from workflow.zgw.cases import Case, Kenmerk, case_from_api
from workflow.zgw.client import CaseQuery, RetryPolicy, Unavailable, ZaakClient, ZgwError
from workflow.zgw.marking import HotspotDecision, TransferRule, drifted, planned_change

BASE = "https://zaken.example/zaken/api/v1/"
CASE = f"{BASE}zaken/1"
CREDENTIALS = Credentials("hotspot-monitor", "geheim-" + "x" * 32, "sanne", "Sanne de Vries")
QUICK = RetryPolicy(attempts=4, first_wait=0.0, max_wait=0.0)
DECISION = HotspotDecision("2019-1", "Stikstof", "GS", "GS/2025/0412", date(2025, 5, 13))


def _case(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "url": CASE,
        "identificatie": "ZAAK-1",
        "omschrijving": "Vergunning",
        "zaaktype": f"{BASE}zaaktypen/1",
        "startdatum": "2019-01-01",
        "einddatum": "2020-06-30",
        "archiefnominatie": "vernietigen",
        "archiefactiedatum": "2025-06-30",
        "archiefstatus": "nog_te_archiveren",
        "kenmerken": [],
    }
    body.update(changes)
    return body


def _client(handler: Callable[[httpx.Request], httpx.Response]) -> ZaakClient:
    return ZaakClient(
        BASE,
        CREDENTIALS,
        retry=QUICK,
        requests_per_second=0,
        transport=httpx.MockTransport(handler),
    )


def _run(client: ZaakClient, work: Callable[[ZaakClient], Any]) -> Any:
    async def go() -> Any:
        async with client:
            return await work(client)

    return asyncio.run(go())


def test_a_busy_server_is_tried_again_until_it_answers() -> None:
    answers = iter([503, 429, 502])
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        status = next(answers, 200)
        return httpx.Response(status, json=_case() if status == 200 else {"detail": "bezet"})

    case = _run(_client(handler), lambda c: c.read(CASE))
    assert case.identificatie == "ZAAK-1"
    assert seen == ["GET"] * 4


def test_a_dropped_connection_is_tried_again() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json=_case())

    assert _run(_client(handler), lambda c: c.read(CASE)).url == CASE
    assert calls["n"] == 2


def test_a_server_that_stays_down_is_reported_after_the_last_try() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, text="kapot")

    with pytest.raises(Unavailable, match=r"no answer after 4 tries \(HTTP 500\)"):
        _run(_client(handler), lambda c: c.read(CASE))


def test_a_refusal_is_answered_at_once_not_retried() -> None:
    calls: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content))
        return httpx.Response(403, json={"code": "permission_denied"})

    answer = _run(
        _client(handler), lambda c: c.patch(CASE, {"archiefnominatie": "blijvend_bewaren"}, "r")
    )
    assert (answer.status, answer.body) == (403, {"code": "permission_denied"})
    assert calls == [{"archiefnominatie": "blijvend_bewaren"}]


def test_retry_after_is_honoured() -> None:
    policy = RetryPolicy(attempts=3, first_wait=5.0, max_wait=30.0)
    assert policy.wait(0, 2.0) == 2.0
    assert policy.wait(0, 90.0) == 30.0
    assert 0.0 <= policy.wait(3, None) <= 30.0


def test_every_request_carries_a_fresh_token_with_the_standards_claims_and_the_crs() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=_case())

    before = int(time.time())
    _run(_client(handler), lambda c: c.read(CASE))
    [request] = seen
    scheme, token = request.headers["Authorization"].split(" ", 1)
    claims = jwt.decode(token, CREDENTIALS.secret, algorithms=["HS256"])
    assert scheme == "Bearer"
    assert claims["iss"] == claims["client_id"] == "hotspot-monitor"
    assert (claims["user_id"], claims["user_representation"]) == ("sanne", "Sanne de Vries")
    assert claims["iat"] >= before
    assert request.headers["Accept-Crs"] == request.headers["Content-Crs"] == "EPSG:4326"


def test_the_reason_header_is_one_line() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=_case())

    _run(_client(handler), lambda c: c.patch(CASE, {}, "regel één\r\nX-Evil: ja"))
    raw = dict(seen[0].headers.raw)[b"X-Audit-Toelichting"]
    assert raw.decode("latin-1") == "regel één X-Evil: ja"
    assert "X-Evil" not in seen[0].headers


def test_the_token_never_leaves_the_configured_api() -> None:
    def handler(request: httpx.Request) -> httpx.Response:  # pragma: no cover - never reached
        raise AssertionError(f"a request went out to {request.url}")

    with pytest.raises(ZgwError, match="not in the configured Zaken API"):
        _run(_client(handler), lambda c: c.read("https://elders.example/zaken/api/v1/zaken/1"))


def test_a_search_merges_open_and_ended_cases_and_follows_pages_on_the_same_api() -> None:
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        bodies.append(body)
        if body.get("einddatum__isnull"):
            if "page=2" in str(request.url):
                return httpx.Response(
                    200, json={"count": 2, "next": None, "results": [_case(url=f"{BASE}zaken/2")]}
                )
            return httpx.Response(
                200,
                json={
                    "count": 2,
                    "next": f"{BASE}zaken/_zoek?page=2",
                    "results": [_case(url=f"{BASE}zaken/1")],
                },
            )
        # The ended ones: case 2 again (it is in both answers) and case 3.
        return httpx.Response(
            200,
            json={
                "count": 2,
                "next": None,
                "results": [_case(url=f"{BASE}zaken/2"), _case(url=f"{BASE}zaken/3")],
            },
        )

    progress: list[tuple[int, int]] = []
    client = ZaakClient(
        BASE,
        CREDENTIALS,
        now=lambda: datetime(2025, 6, 1, tzinfo=UTC),
        retry=QUICK,
        requests_per_second=0,
        transport=httpx.MockTransport(handler),
    )
    query = CaseQuery(("zt-1",), date(2018, 1, 1), None, "stikstof")
    found = _run(client, lambda c: c.search(query, lambda d, t: progress.append((d, t))))

    assert [c.url.rsplit("/", 1)[1] for c in found] == ["1", "2", "3"]
    assert bodies[0] == {
        "zaaktype__in": ["zt-1"],
        "startdatum__lte": "2025-06-01",  # an open end: until today
        "omschrijving": "stikstof",
        "einddatum__isnull": True,
    }
    assert bodies[-1]["einddatum__gt"] == "2017-12-31"  # ended on or after the start
    assert progress == [(1, 2), (2, 2), (3, 4)]


def test_a_next_page_elsewhere_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"count": 9, "next": "https://elders.example/zoek?page=2", "results": []}
        )

    query = CaseQuery(("zt-1",), date(2018, 1, 1), date(2023, 12, 31))
    with pytest.raises(ZgwError, match="not in the configured Zaken API"):
        _run(_client(handler), lambda c: c.search(query))


def test_the_secret_comes_from_the_environment_only() -> None:
    assert secret_from({"HOTSPOT_ZGW_SECRET": "s3"}) == "s3"
    with pytest.raises(EnvironmentProblem, match="HOTSPOT_ZGW_SECRET"):
        secret_from({})
    assert "geheim" not in repr(CREDENTIALS)
    assert bearer_token(CREDENTIALS, 1_700_000_000).count(".") == 2


# -- the plan for one case ---------------------------------------------------------------


def test_keeping_a_destroyable_closed_case_changes_all_three_fields() -> None:
    case = case_from_api(_case(kenmerken=[{"kenmerk": "Z-1", "bron": "DMS"}]))
    assert planned_change(case, DECISION, TransferRule(20)) == {
        "archiefnominatie": "blijvend_bewaren",
        "archiefactiedatum": "2040-06-30",
        "kenmerken": [
            {"kenmerk": "Z-1", "bron": "DMS"},
            {"kenmerk": "hotspot 2019-1", "bron": "hotspotlijst GS/2025/0412"},
        ],
    }


def test_a_case_kept_already_needs_nothing_and_shows_no_drift() -> None:
    kept = Case(
        CASE,
        "ZAAK-1",
        "",
        "zt",
        date(2019, 1, 1),
        date(2020, 6, 30),
        "blijvend_bewaren",
        date(2040, 6, 30),
        "nog_te_archiveren",
        (DECISION.kenmerk,),
    )
    assert planned_change(kept, DECISION, TransferRule(20)) == {}
    assert drifted(kept, DECISION, TransferRule(20)) == []


def test_an_open_case_gets_its_nomination_and_mark_but_no_date_yet() -> None:
    case = case_from_api(_case(einddatum=None, archiefnominatie=None, archiefactiedatum=None))
    change = planned_change(case, DECISION, TransferRule(20))
    assert change["archiefnominatie"] == "blijvend_bewaren"
    assert "archiefactiedatum" not in change


def test_a_leap_day_end_moves_to_the_28th_in_a_common_year() -> None:
    case = case_from_api(_case(einddatum="2020-02-29"))
    assert TransferRule(21).transfer_date(case) == date(2041, 2, 28)
    assert TransferRule(20).transfer_date(case) == date(2040, 2, 29)


def test_the_mark_fits_the_apis_forty_characters() -> None:
    long = HotspotDecision("2019-12", "x", "GS", "GS/2025/" + "9" * 60, date(2025, 1, 1))
    assert len(long.kenmerk.bron) == 40 and len(long.kenmerk.kenmerk) <= 40
    assert long.kenmerk == Kenmerk("hotspot 2019-12", long.kenmerk.bron)


# -- applying ------------------------------------------------------------------------------


def test_the_apply_reports_each_case_refused_gone_changed_or_kept_already() -> None:
    """Four cases: one kept already, one Open Zaak refuses (a closed case without the forced
    scope), one it no longer has, one it changes; a rerun after the change touches none."""
    kept = _case(
        url=f"{BASE}zaken/aa",
        archiefnominatie="blijvend_bewaren",
        archiefactiedatum="2040-06-30",
        kenmerken=[{"kenmerk": "hotspot 2019-1", "bron": "hotspotlijst GS/2025/0412"}],
    )
    state = {
        f"{BASE}zaken/aa": kept,
        f"{BASE}zaken/bb": _case(url=f"{BASE}zaken/bb"),
        f"{BASE}zaken/dd": _case(url=f"{BASE}zaken/dd"),
    }
    patches: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if request.method == "POST":  # the bulk read
            uuids = json.loads(request.content)["uuid__in"]
            found = [state[f"{BASE}zaken/{u}"] for u in uuids if f"{BASE}zaken/{u}" in state]
            return httpx.Response(200, json={"count": len(found), "next": None, "results": found})
        patches.append(url)
        if url.endswith("/bb"):
            return httpx.Response(403, json={"code": "permission_denied"})
        changed = {**state[url], **json.loads(request.content)}
        state[url] = changed
        return httpx.Response(200, json=changed)

    targets = [Target(f"{BASE}zaken/{k}", DECISION) for k in ("aa", "bb", "cc", "dd")]
    done: list[Result] = []
    outcomes = _run(
        _client(handler),
        lambda c: apply(c, targets, TransferRule(20), lambda o: done.append(o.result)),
    )
    assert [o.result for o in outcomes] == [
        Result.UNCHANGED,
        Result.REFUSED,
        Result.FAILED,
        Result.CHANGED,
    ]
    assert sorted(done) == sorted(o.result for o in outcomes)
    refused = outcomes[1]
    assert (refused.status, refused.answer) == (403, {"code": "permission_denied"})
    assert refused.after is None and refused.change["archiefnominatie"] == "blijvend_bewaren"
    assert outcomes[2].error == "the case is gone"
    assert outcomes[3].after is not None
    assert outcomes[3].after["archiefnominatie"] == "blijvend_bewaren"
    assert sorted(patches) == [f"{BASE}zaken/bb", f"{BASE}zaken/dd"]

    patches.clear()
    again = _run(_client(handler), lambda c: apply(c, targets, TransferRule(20)))
    assert [o.result for o in again] == [
        Result.UNCHANGED,
        Result.REFUSED,
        Result.FAILED,
        Result.UNCHANGED,
    ]
    assert patches == [f"{BASE}zaken/bb"]  # only the refused one is tried again


def test_a_page_that_points_back_to_itself_is_an_error_not_a_loop() -> None:
    """A case system whose `next` repeats a page read before would be read forever."""
    page = f"{BASE}zaken/_zoek?page=2"
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200, json={"count": 3, "next": page, "results": [_case()]})

    with pytest.raises(ZgwError, match="does not move on"):
        _run(_client(handler), lambda c: c.read_many([CASE]))
    assert len(calls) == 2  # the first page and page 2, then the repeat is refused


def test_an_answer_that_is_no_case_is_the_case_systems_error() -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"count": 1, "next": None, "results": [{"url": None}]})

    with pytest.raises(ZgwError, match="no case"):
        _run(_client(handler), lambda c: c.read_many([CASE]))

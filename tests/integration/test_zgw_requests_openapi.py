"""Every request the Zaken API client sends, checked against the official Zaken API OpenAPI
document that ships in the Open Zaak source: the operation exists, every query parameter and
required header is declared, and the JSON body fits the operation's request schema with no
undeclared or read-only property. The requests are captured from the real client (search,
bulk read, apply) through an in-process transport."""

from __future__ import annotations

import asyncio
import json
import os
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import jsonschema
import pytest
import yaml

from workflow.zgw.apply import Target, apply
from workflow.zgw.auth import Credentials
from workflow.zgw.client import CaseQuery, RetryPolicy, ZaakClient
from workflow.zgw.marking import HotspotDecision, TransferRule

SPEC = (
    Path(os.environ.get("HOTSPOT_OPENZAAK_DIR", "/work/openzaak"))
    / "src/src/openzaak/components/zaken/openapi.yaml"
)
BASE = "https://zaken.example/zaken/api/v1/"
CASE = f"{BASE}zaken/0f5d7c8e-6a1b-4c2d-9e3f-4a5b6c7d8e02"
DECISION = HotspotDecision("2019-1", "Stikstof", "GS", "GS/2025/0412", date(2025, 5, 13))


@cache
def _spec() -> dict[str, Any]:
    if not SPEC.exists():
        if os.environ.get("HOTSPOT_TEST_OPENZAAK_URL"):
            pytest.fail(f"{SPEC} missing although Open Zaak is configured")
        pytest.skip(f"{SPEC} not here (Open Zaak not installed on this machine)")
    return _openapi_to_json_schema(yaml.safe_load(SPEC.read_text(encoding="utf-8")))


def _openapi_to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` as JSON Schema's null type, everywhere."""
    if isinstance(node, list):
        return [_openapi_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _openapi_to_json_schema(value) for key, value in node.items()}
    if converted.pop("nullable", False):
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
        if "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
        if "$ref" in converted or "allOf" in converted:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


def _operation(method: str, url: str) -> tuple[str, dict[str, Any]]:
    """The document's path template and operation for a request to our fake base."""
    path = "/" + urlsplit(url).path.removeprefix(urlsplit(BASE).path)
    for template, item in _spec()["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    raise AssertionError(f"{method} {path} is not an operation of the Zaken API")


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = _spec()["components"]["schemas"][name]
    return schema


def problems(request: httpx.Request) -> list[str]:
    """What in `request` the official document does not allow (empty: nothing)."""
    template, operation = _operation(request.method, str(request.url))
    where = f"{request.method} {template}"
    found: list[str] = []
    declared = {(p["name"], p["in"]): p for p in operation.get("parameters", [])}
    for name, _value in parse_qsl(urlsplit(str(request.url)).query):
        if (name, "query") not in declared:
            found.append(f"{where}: query parameter {name!r} is not declared")
    for (name, place), parameter in declared.items():
        if place == "header" and parameter.get("required") and name not in request.headers:
            found.append(f"{where}: required header {name!r} missing")
    if request.content:
        body = json.loads(request.content)
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        properties = _resolve(schema).get("properties", {})
        for key in body:
            if key not in properties:
                found.append(f"{where}: body property {key!r} is not declared")
            elif _resolve(properties[key]).get("readOnly"):
                found.append(f"{where}: body property {key!r} is read-only")
        validator = jsonschema.Draft7Validator(
            {**schema, "components": _spec()["components"]},
            format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
        )
        found += [f"{where}: {error.message}" for error in validator.iter_errors(body)]
    return found


def _case(**changes: Any) -> dict[str, Any]:
    return {
        "url": CASE,
        "uuid": CASE.rsplit("/", 1)[1],
        "identificatie": "ZAAK-1",
        "omschrijving": "Vergunning stikstof",
        "zaaktype": f"{BASE.replace('zaken/api', 'catalogi/api')}zaaktypen/1",
        "startdatum": "2019-11-01",
        "einddatum": "2020-06-30",
        "archiefnominatie": "vernietigen",
        "archiefactiedatum": "2025-06-30",
        "archiefstatus": "nog_te_archiveren",
        "kenmerken": [{"kenmerk": "eigen", "bron": "DMS"}],
        **changes,
    }


def _captured() -> list[httpx.Request]:
    """The requests of a search (both passes), a bulk read and an apply, as sent."""
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.method == "PATCH":
            return httpx.Response(200, json=_case(**json.loads(request.content)))
        return httpx.Response(200, json={"count": 1, "next": None, "results": [_case()]})

    async def work() -> None:
        credentials = Credentials("hotspot-monitor", "geheim-" + "x" * 32, "sanne", "Sanne")
        async with ZaakClient(
            BASE,
            credentials,
            retry=RetryPolicy(attempts=1, first_wait=0.0, max_wait=0.0),
            requests_per_second=0,
            transport=httpx.MockTransport(answer),
        ) as client:
            zaaktype = _case()["zaaktype"]
            await client.search(CaseQuery((zaaktype,), date(2019, 10, 1), None, "stikstof"))
            await client.search(CaseQuery((zaaktype,), date(2018, 1, 1), date(2023, 12, 31)))
            await apply(client, [Target(CASE, DECISION)], TransferRule(20))

    asyncio.run(work())
    return sent


def test_every_request_of_the_client_fits_the_official_zaken_api() -> None:
    sent = _captured()
    kinds = {(r.method, _operation(r.method, str(r.url))[0]) for r in sent}
    # The search, the bulk read (both through _zoek) and the apply's PATCH were all checked.
    assert kinds == {("POST", "/zaken/_zoek"), ("PATCH", "/zaken/{uuid}")}
    patch = next(r for r in sent if r.method == "PATCH")
    assert set(json.loads(patch.content)) == {"archiefnominatie", "archiefactiedatum", "kenmerken"}
    assert [p for r in sent for p in problems(r)] == []


def test_the_check_catches_a_body_or_parameter_the_document_does_not_allow() -> None:
    """The check can fail: a value outside the enumeration, an undeclared property and an
    undeclared query parameter are each reported."""
    wrong = httpx.Request(
        "PATCH",
        f"{CASE}?verbose=1",
        headers={"Content-Crs": "EPSG:4326", "Content-Type": "application/json"},
        json={"archiefnominatie": "voor_altijd", "bewaartermijn": 20},
    )
    found = problems(wrong)
    assert any("'verbose'" in p for p in found)
    assert any("'bewaartermijn'" in p for p in found)
    assert any("voor_altijd" in p for p in found)
    no_header = httpx.Request("POST", f"{BASE}zaken/_zoek", json={"uuid__in": []})
    assert any("Content-Crs" in p for p in problems(no_header))

"""The requests the Zaken API client really sends (search in both passes and within an area,
bulk read, read, PATCH with a planned change, audit trail), captured through an in-process
transport and checked against the official Zaken API OpenAPI document in the Open Zaak source:
the operation exists, every path and query parameter and every required header is declared and
fits its schema, the bearer token is there, and the JSON body fits the request schema with no
undeclared or read-only property (Open Zaak ignores an unknown search field silently, which
would widen a search instead of failing it). A set of wrong requests shows the check can fail."""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import jsonschema  # type: ignore[import-untyped]  # no stubs in the venv
import pytest
import yaml  # type: ignore[import-untyped]  # no stubs in the venv

from workflow.zgw.area import parse_area
from workflow.zgw.auth import Credentials, bearer_token
from workflow.zgw.cases import case_from_api
from workflow.zgw.client import CaseQuery, RetryPolicy, ZaakClient
from workflow.zgw.marking import HotspotDecision, TransferRule, planned_change

OPENZAAK_URL_ENV = "HOTSPOT_TEST_OPENZAAK_URL"
SPEC = (
    Path(os.environ.get("HOTSPOT_OPENZAAK_DIR") or "/work/openzaak")
    / "src/src/openzaak/components/zaken/openapi.yaml"
)

if not SPEC.exists() and not os.environ.get(OPENZAAK_URL_ENV):
    pytest.skip(f"{SPEC} is missing and {OPENZAAK_URL_ENV} is unset", allow_module_level=True)

BASE = "https://zaken.example/zaken/api/v1/"
CATALOGI = "https://zaken.example/catalogi/api/v1/"
ZAAKTYPEN = (f"{CATALOGI}zaaktypen/{uuid.uuid4()}", f"{CATALOGI}zaaktypen/{uuid.uuid4()}")
CASES = [f"{BASE}zaken/{uuid.uuid4()}" for _ in range(3)]
CREDENTIALS = Credentials("hotspot-monitor", "geheim-" + "x" * 32, "sanne", "Sanne de Vries")
DECISION = HotspotDecision("2019-1", "Stikstof", "GS", "GS/2025/0412", date(2025, 5, 13))
AREA = json.dumps(
    {
        "type": "Polygon",
        "coordinates": [[[5.0, 52.0], [5.2, 52.0], [5.2, 52.2], [5.0, 52.2], [5.0, 52.0]]],
    }
)


# -- the document ----------------------------------------------------------------------------


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema dialect as JSON Schema draft 7: `nullable` allows null, and a
    `discriminator` picks its one alternative by the named property (plain `oneOf` would
    refuse a Polygon, which also fits MultiLineString's shape)."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items()}
    discriminator = converted.pop("discriminator", None)
    if discriminator is not None and "oneOf" in converted:
        name = discriminator["propertyName"]
        choices = discriminator.get("mapping") or {
            ref["$ref"].rsplit("/", 1)[1]: ref["$ref"] for ref in converted["oneOf"]
        }
        del converted["oneOf"]
        converted["allOf"] = [
            *converted.get("allOf", []),
            {"required": [name], "properties": {name: {"enum": list(choices)}}},
            *(
                {"if": {"properties": {name: {"const": value}}}, "then": {"$ref": ref}}
                for value, ref in choices.items()
            ),
        ]
    if converted.pop("nullable", False):
        converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


def _absolute_uri(value: object) -> bool:
    return not isinstance(value, str) or (
        bool(urlsplit(value).scheme) and not any(c.isspace() for c in value)
    )


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker()
    if "uri" not in checker.checkers:  # rfc3987 is not installed: an absolute URI by hand
        checker.checks("uri")(_absolute_uri)
    return checker


class ZakenApi:
    """The OpenAPI document and the one question asked of it: what in a request it forbids."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.components = _json_schema(document["components"])
        self.server = urlsplit(document["servers"][0]["url"]).path.rstrip("/")
        self.checker = _format_checker()
        # Literal paths before templated ones: /zaken/_zoek is not /zaken/{uuid}.
        self.paths = sorted(document["paths"].items(), key=lambda item: item[0].count("{"))

    def operation(self, method: str, url: str) -> tuple[str, dict[str, Any], dict[str, str]]:
        """The path template, operation and path parameters of a request; KeyError if none."""
        path = urlsplit(url).path
        if not path.startswith(self.server + "/"):
            raise KeyError(f"{path} is outside the API's server path {self.server}")
        path = path.removeprefix(self.server)
        for template, item in self.paths:
            pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
            found = re.fullmatch(pattern, path)
            if found and method.lower() in item:
                return template, item[method.lower()], found.groupdict()
        raise KeyError(f"{method} {path} is not an operation of the Zaken API")

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            target: Any = self.document
            for part in schema["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            schema = target
        return schema

    def _errors(self, schema: dict[str, Any], value: Any, where: str) -> list[str]:
        validator = jsonschema.Draft7Validator(
            {**_json_schema(schema), "components": self.components},
            format_checker=self.checker,
        )
        return [
            f"{where}{''.join(f'[{p!r}]' for p in error.absolute_path)}: {error.message}"
            for error in sorted(validator.iter_errors(value), key=lambda e: list(e.path))
        ]

    def _properties(self, schema: dict[str, Any], value: dict[str, Any]) -> dict[str, Any] | None:
        """The properties a schema declares for `value`; None when it allows any."""
        schema = self._resolve(schema)
        extra = schema.get("additionalProperties")
        if extra not in (None, False):
            return None
        declared = dict(schema.get("properties", {}))
        parts = list(schema.get("allOf", []))
        alternatives = schema.get("oneOf", []) + schema.get("anyOf", [])
        discriminator = schema.get("discriminator")
        if discriminator and alternatives:
            tag = value.get(discriminator["propertyName"])
            mapping = discriminator.get("mapping") or {
                a["$ref"].rsplit("/", 1)[1]: a["$ref"] for a in alternatives
            }
            parts += [{"$ref": mapping[tag]}] if tag in mapping else []
        else:
            parts += alternatives
        for part in parts:
            more = self._properties(part, value)
            if more is None:
                return None
            declared.update(more)
        return declared

    def _undeclared(self, schema: dict[str, Any], value: Any, where: str) -> list[str]:
        """Properties sent that the schema does not declare or marks read-only, at any depth."""
        schema = self._resolve(schema)
        if isinstance(value, list) and "items" in schema:
            return [
                problem
                for index, item in enumerate(value)
                for problem in self._undeclared(schema["items"], item, f"{where}[{index}]")
            ]
        if not isinstance(value, dict):
            return []
        declared = self._properties(schema, value)
        if declared is None:
            return []
        found: list[str] = []
        for key, item in value.items():
            inner = declared.get(key)
            if inner is None:
                found.append(f"{where}[{key!r}]: property is not declared")
            elif inner.get("readOnly") or self._resolve(inner).get("readOnly"):
                found.append(f"{where}[{key!r}]: property is read-only")
            else:
                found += self._undeclared(inner, item, f"{where}[{key!r}]")
        return found

    def problems(self, request: httpx.Request) -> list[str]:
        """What in `request` the document does not allow; empty when it allows all of it."""
        try:
            template, operation, path_values = self.operation(request.method, str(request.url))
        except KeyError as error:
            return [str(error.args[0])]
        where = f"{request.method} {template}"
        parameters = {(p["in"], p["name"].lower()): p for p in operation.get("parameters", [])}
        found: list[str] = []
        for name, value in path_values.items():
            found += self._errors(parameters[("path", name.lower())]["schema"], value, where)

        for name, text in parse_qsl(urlsplit(str(request.url)).query, keep_blank_values=True):
            declared = parameters.get(("query", name.lower()))
            if declared is None:
                found.append(f"{where}: query parameter {name!r} is not declared")
                continue
            found += self._errors(
                declared["schema"], _query_value(declared["schema"], text), f"{where}?{name}"
            )

        for (place, _name), declared in parameters.items():
            if place != "header":
                continue
            value = request.headers.get(declared["name"])
            if value is None:
                if declared.get("required"):
                    found.append(f"{where}: required header {declared['name']!r} is missing")
                continue
            found += self._errors(declared["schema"], value, f"{where} {declared['name']}")

        security = operation.get("security", self.document.get("security")) or []
        schemes = self.document["components"].get("securitySchemes", {})
        if any(
            schemes[name].get("scheme") == "bearer"
            for requirement in security
            for name in requirement
        ):
            token = request.headers.get("Authorization", "")
            if not re.fullmatch(r"Bearer [\w-]+\.[\w-]+\.[\w-]+", token):
                found.append(f"{where}: no bearer JWT in the Authorization header")

        body_spec = operation.get("requestBody")
        if not request.content:
            if body_spec and body_spec.get("required"):
                found.append(f"{where}: the request body is required")
            return found
        if body_spec is None or "application/json" not in body_spec["content"]:
            return [*found, f"{where}: takes no JSON body"]
        schema = body_spec["content"]["application/json"]["schema"]
        body = json.loads(request.content)
        return [
            *found,
            *self._undeclared(schema, body, f"{where} body"),
            *self._errors(schema, body, f"{where} body"),
        ]


def _query_value(schema: dict[str, Any], text: str) -> Any:
    """A query string value as the type its schema declares (the schema then judges it)."""
    kind = schema.get("type")
    if kind == "array":
        return text.split(",")
    if kind == "integer":
        return int(text) if re.fullmatch(r"-?\d+", text) else text
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    return text


@pytest.fixture(scope="module")
def api() -> ZakenApi:
    if not SPEC.exists():
        pytest.fail(f"{SPEC} is missing although {OPENZAAK_URL_ENV} is set: CI must check it")
    with SPEC.open(encoding="utf-8") as handle:
        return ZakenApi(yaml.load(handle, Loader=yaml.CSafeLoader))


# -- the client's requests ---------------------------------------------------------------------


def _case(url: str, **changes: Any) -> dict[str, Any]:
    return {
        "url": url,
        "uuid": url.rsplit("/", 1)[1],
        "identificatie": "ZAAK-2019-0001",
        "omschrijving": "Vergunning stikstof",
        "zaaktype": ZAAKTYPEN[0],
        "startdatum": "2019-11-01",
        "einddatum": "2020-06-30",
        "archiefnominatie": "vernietigen",
        "archiefactiedatum": "2025-06-30",
        "archiefstatus": "nog_te_archiveren",
        "kenmerken": [{"kenmerk": "D-17", "bron": "DMS"}],
        **changes,
    }


def _answer(request: httpx.Request) -> httpx.Response:
    """Open Zaak's answers in shape: the first search page points to a second one."""
    path = request.url.path
    if path.endswith("/_zoek"):
        body = json.loads(request.content)
        following = None
        if body.get("einddatum__isnull") and request.url.params.get("page") is None:
            following = f"{BASE}zaken/_zoek?page=2&pageSize=100"
        wanted = body.get("uuid__in")
        results = [_case(u) for u in CASES if wanted is None or u.rsplit("/", 1)[1] in wanted]
        return httpx.Response(
            200, json={"count": len(results), "next": following, "results": results}
        )
    if path.endswith("/audittrail"):
        return httpx.Response(200, json=[])
    case = _case(str(request.url))
    if request.method == "PATCH":
        case.update(json.loads(request.content))
    return httpx.Response(200, json=case)


@pytest.fixture(scope="module")
def captured() -> dict[str, list[httpx.Request]]:
    """Each operation of the client, run once against the fake, and the requests it sent."""
    sent: dict[str, list[httpx.Request]] = {}
    current = [""]

    def handler(request: httpx.Request) -> httpx.Response:
        sent.setdefault(current[0], []).append(request)
        return _answer(request)

    async def work(client: ZaakClient) -> None:
        steps: list[tuple[str, Callable[[], Any]]] = [
            (
                "search",
                lambda: client.search(CaseQuery(ZAAKTYPEN, date(2019, 10, 1), None, "stikstof")),
            ),
            (
                "search within an area",
                lambda: client.search(
                    CaseQuery(
                        ZAAKTYPEN[:1],
                        date(2018, 1, 1),
                        date(2023, 12, 31),
                        area=parse_area("gebied", AREA),
                    )
                ),
            ),
            ("read_many", lambda: client.read_many(CASES[:2])),
            ("read", lambda: client.read(CASES[0])),
            (
                "patch",
                lambda: client.patch(
                    CASES[0],
                    planned_change(case_from_api(_case(CASES[0])), DECISION, TransferRule(20)),
                    DECISION.toelichting(),
                ),
            ),
            ("audit_trail", lambda: client.audit_trail(CASES[0])),
        ]
        for name, step in steps:
            current[0] = name
            await step()

    async def run() -> None:
        async with ZaakClient(
            BASE,
            CREDENTIALS,
            now=lambda: datetime(2025, 6, 1, tzinfo=UTC),
            retry=RetryPolicy(attempts=1, first_wait=0.0, max_wait=0.0),
            requests_per_second=0,
            transport=httpx.MockTransport(handler),
        ) as client:
            await work(client)

    asyncio.run(run())
    return sent


def _bodies(requests: list[httpx.Request]) -> list[Any]:
    return [json.loads(r.content) for r in requests]


def test_the_capture_holds_every_operation_of_the_client(
    api: ZakenApi, captured: dict[str, list[httpx.Request]]
) -> None:
    operations = {
        name: {(r.method, api.operation(r.method, str(r.url))[0]) for r in requests}
        for name, requests in captured.items()
    }
    assert operations == {
        "search": {("POST", "/zaken/_zoek")},
        "search within an area": {("POST", "/zaken/_zoek")},
        "read_many": {("POST", "/zaken/_zoek")},
        "read": {("GET", "/zaken/{uuid}")},
        "patch": {("PATCH", "/zaken/{uuid}")},
        "audit_trail": {("GET", "/zaken/{zaak_uuid}/audittrail")},
    }
    # Both passes, the open one over two pages; zaaktypen, period and keyword in each.
    search = _bodies(captured["search"])
    assert [b.get("einddatum__isnull") for b in search] == [True, True, None]
    assert search[-1]["einddatum__gt"] == "2019-09-30"
    assert all(
        b["zaaktype__in"] == list(ZAAKTYPEN)
        and b["startdatum__lte"] == "2025-06-01"
        and b["omschrijving"] == "stikstof"
        for b in search
    )
    assert "page=2" in str(captured["search"][1].url)
    assert all("zaakgeometrie" in b for b in _bodies(captured["search within an area"]))
    uuids = [url.rsplit("/", 1)[1] for url in CASES[:2]]
    assert _bodies(captured["read_many"]) == [{"uuid__in": uuids}]
    [patch] = captured["patch"]
    assert set(json.loads(patch.content)) == {"archiefnominatie", "archiefactiedatum", "kenmerken"}
    assert patch.headers["X-Audit-Toelichting"].startswith("Blijvend bewaren")


@pytest.mark.parametrize(
    "operation", ["search", "search within an area", "read_many", "read", "patch", "audit_trail"]
)
def test_every_request_fits_the_official_document(
    api: ZakenApi, captured: dict[str, list[httpx.Request]], operation: str
) -> None:
    requests = captured[operation]
    assert requests
    assert [problem for r in requests for problem in api.problems(r)] == []


# -- the check can fail ------------------------------------------------------------------------


def _request(
    method: str,
    url: str,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    without: tuple[str, ...] = (),
) -> httpx.Request:
    """A request as the client sends it, then changed in one place."""
    sent = {
        "Authorization": f"Bearer {bearer_token(CREDENTIALS, time.time())}",
        "Accept": "application/json",
        "Accept-Crs": "EPSG:4326",
        "Content-Crs": "EPSG:4326",
        **(headers or {}),
    }
    request = httpx.Request(method, url, json=body, headers=sent)
    for name in without:
        del request.headers[name]
    return request


SEARCH = f"{BASE}zaken/_zoek?pageSize=100"
GOOD_SEARCH = {"zaaktype__in": [ZAAKTYPEN[0]], "startdatum__lte": "2025-06-01"}
KEEP = {"archiefnominatie": "blijvend_bewaren", "archiefactiedatum": "2040-06-30"}


@pytest.mark.parametrize(
    ("request_", "fragments"),
    [
        pytest.param(
            _request("PATCH", CASES[0], {**KEEP, "archiefnominatie": "forever"}),
            ("body['archiefnominatie']", "'forever'"),
            id="a value outside the enumeration",
        ),
        pytest.param(
            _request("PATCH", CASES[0], {**KEEP, "archiefactiedatum": "30-06-2040"}),
            ("body['archiefactiedatum']", "'30-06-2040'"),
            id="a date in the wrong format",
        ),
        pytest.param(
            _request("PATCH", CASES[0], {"kenmerken": [{"kenmerk": "k" * 41, "bron": "DMS"}]}),
            ("body['kenmerken'][0]['kenmerk']", "too long"),
            id="a kenmerk over forty characters",
        ),
        pytest.param(
            _request("PATCH", CASES[0], {**KEEP, "url": CASES[0]}),
            ("body['url']", "not declared"),
            id="a read-only field of the case",
        ),
        pytest.param(
            _request("POST", SEARCH, {**GOOD_SEARCH, "zaaktypen__in": [ZAAKTYPEN[0]]}),
            ("body['zaaktypen__in']", "not declared"),
            id="a misspelt search field",
        ),
        pytest.param(
            _request("POST", SEARCH, {**GOOD_SEARCH, "zaaktype__in": ["zaaktype 1"]}),
            ("body['zaaktype__in'][0]", "'uri'"),
            id="a case type that is no URL",
        ),
        pytest.param(
            _request("POST", f"{BASE}zaken/_zoek?page_size=100", GOOD_SEARCH),
            ("query parameter 'page_size' is not declared",),
            id="an unknown query parameter",
        ),
        pytest.param(
            _request("POST", f"{BASE}zaken/_zoek?pageSize=honderd", GOOD_SEARCH),
            ("?pageSize", "'honderd'"),
            id="a query value of the wrong type",
        ),
        pytest.param(
            _request("PATCH", CASES[0], KEEP, without=("Content-Crs",)),
            ("required header 'Content-Crs' is missing",),
            id="a missing required header",
        ),
        pytest.param(
            _request("POST", SEARCH, GOOD_SEARCH, headers={"Accept-Crs": "EPSG:28992"}),
            ("Accept-Crs", "'EPSG:28992'"),
            id="a CRS the API does not offer",
        ),
        pytest.param(
            _request("GET", CASES[0], without=("Authorization",)),
            ("no bearer JWT",),
            id="no token",
        ),
        pytest.param(
            _request("GET", f"{BASE}zaken/ZAAK-1"),
            ("GET /zaken/{uuid}", "'ZAAK-1'", "uuid"),
            id="a path parameter that is no uuid",
        ),
        pytest.param(
            _request("POST", CASES[0], KEEP),
            (f"POST /zaken/{CASES[0].rsplit('/', 1)[1]} is not an operation",),
            id="an operation the API does not have",
        ),
    ],
)
def test_the_check_names_what_the_document_forbids(
    api: ZakenApi, request_: httpx.Request, fragments: tuple[str, ...]
) -> None:
    found = api.problems(request_)
    assert len(found) == 1, found
    assert all(fragment in found[0] for fragment in fragments), found

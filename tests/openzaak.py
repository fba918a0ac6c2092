"""The real Open Zaak for the tests: its address and credentials from the environment
(`HOTSPOT_TEST_OPENZAAK_URL` and the `OZ_*` variables that setup-openzaak.sh prints), and
cases made through its own APIs, each test with a word of its own in their descriptions."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import jwt
import pytest

URL_ENV = "HOTSPOT_TEST_OPENZAAK_URL"
RSIN = "517439943"


@dataclass(frozen=True)
class OpenZaak:
    base: str
    client_id: str
    secret: str
    zaaktype: str
    status_start: str
    status_end: str
    result_destroy: str
    result_keep: str

    @property
    def zaken(self) -> str:
        return f"{self.base}/zaken/api/v1/"

    def headers(self) -> dict[str, str]:
        token = jwt.encode(
            {
                "iss": self.client_id,
                "iat": int(time.time()),
                "client_id": self.client_id,
                "user_id": "test",
                "user_representation": "test",
            },
            self.secret,
            algorithm="HS256",
        )
        return {
            "Authorization": f"Bearer {token}",
            "Accept-Crs": "EPSG:4326",
            "Content-Crs": "EPSG:4326",
        }

    def call(self, method: str, url: str, body: Any = None, expect: int = 200) -> Any:
        full = url if url.startswith("http") else f"{self.base}{url}"
        answer = httpx.request(method, full, json=body, headers=self.headers(), timeout=60)
        assert answer.status_code == expect, f"{method} {full}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content else None

    def new_case(self, start: date, description: str, **extra: Any) -> dict[str, Any]:
        return self.call(
            "POST",
            "/zaken/api/v1/zaken",
            {
                "bronorganisatie": RSIN,
                "verantwoordelijkeOrganisatie": RSIN,
                "zaaktype": self.zaaktype,
                "startdatum": start.isoformat(),
                "registratiedatum": start.isoformat(),
                "omschrijving": description,
                **extra,
            },
            expect=201,
        )

    def close(self, case: dict[str, Any], end: date, destroy: bool = True) -> dict[str, Any]:
        """A result and the final status: Open Zaak then derives the archive fields."""
        result = self.result_destroy if destroy else self.result_keep
        self.call(
            "POST",
            "/zaken/api/v1/resultaten",
            {"zaak": case["url"], "resultaattype": result},
            expect=201,
        )
        self.set_status(case, self.status_end, end)
        return self.call("GET", case["url"])

    def set_status(self, case: dict[str, Any], statustype: str, day: date) -> None:
        self.call(
            "POST",
            "/zaken/api/v1/statussen",
            {
                "zaak": case["url"],
                "statustype": statustype,
                "datumStatusGezet": f"{day.isoformat()}T12:00:00Z",
            },
            expect=201,
        )


def open_zaak() -> OpenZaak:
    """The running Open Zaak, or a skip when this machine has none configured."""
    base = os.environ.get(URL_ENV, "").rstrip("/")
    if not base:
        pytest.skip(f"{URL_ENV} not set (CI starts Open Zaak and sets it; locally optional)")
    env = os.environ
    return OpenZaak(
        base=base,
        client_id=env["OZ_CLIENT_ID"],
        secret=env["OZ_SECRET"],
        zaaktype=env["OZ_ZAAKTYPE_URL"],
        status_start=env["OZ_STATUSTYPE_START_URL"],
        status_end=env["OZ_STATUSTYPE_EIND_URL"],
        result_destroy=env["OZ_RESULTAATTYPE_VERNIETIGEN_URL"],
        result_keep=env["OZ_RESULTAATTYPE_BEWAREN_URL"],
    )


def unique_word() -> str:
    """A word no other test's cases carry, to find exactly this test's cases."""
    return f"hs{uuid.uuid4().hex[:10]}"

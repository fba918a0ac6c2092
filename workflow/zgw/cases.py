"""A case (zaak) as the Zaken API returns it, reduced to what the inventory needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class Kenmerk:
    kenmerk: str
    bron: str


@dataclass(frozen=True, slots=True)
class Case:
    url: str
    identificatie: str
    omschrijving: str
    zaaktype: str
    startdatum: date | None
    einddatum: date | None
    archiefnominatie: str | None
    archiefactiedatum: date | None
    archiefstatus: str | None
    kenmerken: tuple[Kenmerk, ...] = ()

    @property
    def closed(self) -> bool:
        return self.einddatum is not None

    def archive_fields(self) -> dict[str, Any]:
        """What the inventory compares and records, before and after: JSON-ready."""
        return {
            "archiefnominatie": self.archiefnominatie,
            "archiefactiedatum": _iso(self.archiefactiedatum),
            "archiefstatus": self.archiefstatus,
            "kenmerken": [{"kenmerk": k.kenmerk, "bron": k.bron} for k in self.kenmerken],
        }


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def case_from_api(body: dict[str, Any]) -> Case:
    """A case from the API's JSON; a body without a URL is no case (ValueError)."""
    url = body.get("url")
    if not isinstance(url, str) or not url:
        raise ValueError("the case system answered with a case without a URL")
    return Case(
        url=url,
        identificatie=str(body.get("identificatie") or ""),
        omschrijving=str(body.get("omschrijving") or ""),
        zaaktype=str(body.get("zaaktype") or ""),
        startdatum=_day(body.get("startdatum")),
        einddatum=_day(body.get("einddatum")),
        archiefnominatie=body.get("archiefnominatie") or None,
        archiefactiedatum=_day(body.get("archiefactiedatum")),
        archiefstatus=body.get("archiefstatus") or None,
        kenmerken=tuple(
            Kenmerk(str(k.get("kenmerk", "")), str(k.get("bron", "")))
            for k in body.get("kenmerken") or ()
            if isinstance(k, dict)
        ),
    )

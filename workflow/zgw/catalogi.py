"""The Catalogi API beside a case system: its published case types, and their names.

The same client (token, retries, limits) talks to the Catalogi API's own base URL; a case
type's name is a nicety for the people choosing, so a name that cannot be read falls back to
the last part of its URL instead of failing the search.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from workflow.zgw.client import ZaakClient, ZgwError


@dataclass(frozen=True, slots=True)
class CaseType:
    url: str
    identificatie: str
    omschrijving: str
    # The date from which this version applies; several versions of one type may be listed.
    begin: str | None


async def case_types(
    client: ZaakClient, on_page: Callable[[int, int], None] | None = None
) -> list[CaseType]:
    """Every published (definitief) case type of the Catalogi API, page by page."""
    found: list[CaseType] = []
    url: str | None = client.base + "zaaktypen?status=definitief"
    read: set[str] = set()
    while url is not None:
        answer = await client.call("GET", url)
        if answer.status != 200 or not isinstance(answer.body, dict):
            raise ZgwError(f"listing case types answered {answer.status}", answer.status)
        for item in answer.body.get("results") or ():
            if isinstance(item, dict) and isinstance(item.get("url"), str):
                found.append(
                    CaseType(
                        item["url"],
                        str(item.get("identificatie") or ""),
                        str(item.get("omschrijving") or ""),
                        item.get("beginGeldigheid"),
                    )
                )
        if on_page is not None:
            on_page(len(found), int(answer.body.get("count") or len(found)))
        url = client.next_page(answer.body.get("next"), read)
    return found


async def case_type_names(client: ZaakClient, urls: Sequence[str]) -> dict[str, str]:
    """The omschrijving of each case type; the URL's last part where it cannot be read."""
    names: dict[str, str] = {}
    for url in dict.fromkeys(urls):
        fallback = url.rstrip("/").rsplit("/", 1)[-1]
        if not url.startswith(client.base):
            names[url] = fallback
            continue
        try:
            answer = await client.call("GET", url)
        except ZgwError:
            names[url] = fallback
            continue
        body = answer.body if answer.status == 200 and isinstance(answer.body, dict) else {}
        names[url] = str(body.get("omschrijving") or fallback)
    return names

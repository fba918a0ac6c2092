"""The case systems behind the inventory: ZGW APIs (Zaken, Catalogi), Open Zaak first.

`auth` makes the bearer token the ZGW standard prescribes, `client` talks to a Zaken API
(retries, backoff, a request budget, the CRS headers), `cases` reads its answers, `marking`
works out what keeping a case for a hotspot changes in it. Nothing here touches the database.
"""

# Where a case system's secret is read when its definition names no variable of its own.
DEFAULT_SECRET_ENV = "HOTSPOT_ZGW_SECRET"

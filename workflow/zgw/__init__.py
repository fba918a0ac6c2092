"""The case systems behind the inventory: ZGW APIs (Zaken, Catalogi), Open Zaak first.

`auth` makes the bearer token the ZGW standard prescribes, `client` talks to a Zaken API
(retries, backoff, a request budget, the CRS headers), `cases` reads its answers, `marking`
works out what keeping a case for a hotspot changes in it. Nothing here touches the database.
"""

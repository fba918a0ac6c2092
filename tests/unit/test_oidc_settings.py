"""The [web.oidc] settings and how the provider's claims become an account role."""

from __future__ import annotations

import pytest

from states.errors import InvalidInput
from workflow import users
from workflow.web.oidc import role_from
from workflow.web_settings import OIDC_SECRET_ENV, OidcSettings, WebSettings

SECRET = {OIDC_SECRET_ENV: "geheim"}
TABLE = {"issuer": "https://login.overijssel.example/", "client_id": "hotspot"}


def test_no_issuer_means_no_provider() -> None:
    assert WebSettings.from_sources({}, {}).oidc is None


def test_the_table_with_the_secret_from_the_environment() -> None:
    found = WebSettings.from_sources({"oidc": {**TABLE, "organisation": "Overijssel"}}, SECRET)
    assert found.oidc is not None
    assert (found.oidc.issuer, found.oidc.client_secret) == (
        "https://login.overijssel.example",
        "geheim",
    )
    assert found.oidc.organisation == "Overijssel" and found.oidc.password_login
    assert "geheim" not in repr(found.oidc)


@pytest.mark.parametrize(
    ("table", "env", "says"),
    [
        ({**TABLE, "client_secret": "x"}, SECRET, "het clientgeheim staat niet in een bestand"),
        (TABLE, {}, OIDC_SECRET_ENV),
        ({**TABLE, "issuer": "http://login.example"}, SECRET, "via https"),
        ({**TABLE, "unknown_users": "maybe"}, SECRET, "kies refuse of create"),
        ({**TABLE, "group_roles": {"G-Archief": "baas"}}, SECRET, "groep G-Archief"),
        ({**TABLE, "colour": "blue"}, SECRET, "onbekende instelling"),
    ],
)
def test_wrong_settings_are_refused_in_dutch(
    table: dict[str, object], env: dict[str, str], says: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        OidcSettings.from_sources(table, env)
    assert says in refused.value.explain()


def test_the_environment_sets_everything_but_the_table() -> None:
    env = {
        **SECRET,
        "HOTSPOT_OIDC_ISSUER": "http://127.0.0.1:9000",
        "HOTSPOT_OIDC_CLIENT_ID": "c",
        "HOTSPOT_OIDC_GROUP_ROLES": "G-DIV=informatiebeheerder, G-Archief=archivaris",
        "HOTSPOT_OIDC_PASSWORD_LOGIN": "nee",
    }
    found = OidcSettings.from_sources({}, env)
    assert found is not None and not found.password_login
    assert dict(found.group_roles) == {"G-DIV": "informatiebeheerder", "G-Archief": "archivaris"}


def test_the_role_comes_from_the_claim_or_the_widest_mapped_group() -> None:
    claim = OidcSettings(issuer="https://x.example", client_id="c", client_secret="s")
    assert role_from({"hotspot_role": "archivaris"}, claim) is users.AccountRole.ARCHIVIST
    assert role_from({"hotspot_role": ["x", "informatiebeheerder"]}, claim) is (
        users.AccountRole.INFORMATION_MANAGER
    )
    assert role_from({"hotspot_role": "directeur"}, claim) is None
    assert role_from({}, claim) is None
    groups = OidcSettings(
        issuer="https://x.example",
        client_id="c",
        client_secret="s",
        group_roles={"G-Archief": "archivaris", "G-PB": "procesbegeleider"},
    )
    assert role_from({"groups": ["G-Archief", "G-PB", "G-Anders"]}, groups) is (
        users.AccountRole.FACILITATOR
    )
    assert role_from({"groups": ["G-Anders"], "hotspot_role": "archivaris"}, groups) is None

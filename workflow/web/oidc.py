"""Sign-in through the organisation's identity provider: OpenID Connect with Authlib.

The authorization-code flow with PKCE (S256): `begin` sends the browser to the provider with a
fresh state, nonce and code verifier, kept in the visitor's session (the signed visit cookie:
they travel with the browser that started, and a callback from another browser finds none);
`finish` takes the callback, refuses a state that is not the one it sent, trades the code for
the tokens and checks the ID token: its signature against the provider's published keys
(JWKS), the issuer, the audience (our client id), the nonce and its expiry. The role comes
from a claim (`role_claim`) or from the groups the provider names (`group_roles`); without one
the sign-in is refused, in Dutch by default, naming the claim. The account is found by
(issuer, subject) and, when configured, made at the first sign-in (workflow.users.sign_in_oidc).

The provider's metadata must name the issuer configured here, exactly: a discovery document
from anywhere else is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import anyio.to_thread
import structlog
from starlette.requests import Request
from starlette.responses import Response

from states.errors import HotspotError
from states.i18n import Text
from workflow import users
from workflow.web.runtime import web_app
from workflow.web_settings import OidcSettings

if TYPE_CHECKING:
    from authlib.integrations.starlette_client import StarletteOAuth2App

log = structlog.get_logger("hotspot")

_NAME = "provider"
_NEXT = "oidc_next"
# The order in which a person in several mapped groups gets a role: the widest first.
_PRECEDENCE = (
    users.AccountRole.FACILITATOR,
    users.AccountRole.INFORMATION_MANAGER,
    users.AccountRole.ARCHIVIST,
)


class OidcRefused(users.LoginRefused):
    """A sign-in through the provider that does not end in a session (HTTP 401)."""


WRONG_STATE = Text(
    "Het inloggen via de identiteitsprovider is niet in deze browser begonnen, of het duurde "
    "te lang (de state klopt niet). Begin opnieuw bij ‘Inloggen via’.",
    "Signing in through the identity provider did not start in this browser, or took too "
    "long (the state does not match). Start again at ‘Sign in via’.",
)
PROVIDER_FAILED = Text(
    "Het inloggen via de identiteitsprovider is niet gelukt: {reason}. Probeer het opnieuw of "
    "neem contact op met de beheerder.",
    "Signing in through the identity provider failed: {reason}. Try again or contact the "
    "administrator.",
)


def no_role(settings: OidcSettings) -> Text:
    roles = ", ".join(users.ROLE_NAMES)
    where = (
        f"de groepen in claim {settings.groups_claim}"
        if settings.group_roles
        else f"claim {settings.role_claim}"
    )
    where_en = (
        f"the groups in claim {settings.groups_claim}"
        if settings.group_roles
        else f"claim {settings.role_claim}"
    )
    return Text(
        f"Uw identiteitsprovider geeft u geen rol voor de hotspotmonitor ({where}). Vraag uw "
        f"beheerder om een van de rollen {roles} (regel oidc.role).",
        f"Your identity provider gives you no role for the hotspot monitor ({where_en}). Ask "
        f"your administrator for one of the roles {roles} (rule oidc.role).",
    )


def settings_of(request: Request) -> OidcSettings | None:
    return web_app(request).app.settings.web.oidc


def _client(request: Request, settings: OidcSettings) -> StarletteOAuth2App:
    """The web app's one client: it keeps the provider's metadata and keys once fetched."""
    state = request.app.state
    client: StarletteOAuth2App | None = getattr(state, "oidc_client", None)
    if client is None:
        # Imported on the first sign-in: an installation without a provider never loads it.
        from authlib.integrations.starlette_client import OAuth

        oauth = OAuth()
        client = oauth.register(
            _NAME,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            server_metadata_url=f"{settings.issuer}/.well-known/openid-configuration",
            client_kwargs={
                "scope": settings.scopes,
                "code_challenge_method": "S256",
                "timeout": 10,
            },
        )
        state.oidc_client = client
    return client


def redirect_uri(request: Request, settings: OidcSettings) -> str:
    return settings.redirect_uri or str(request.url_for("oidc_callback"))


async def begin(request: Request, settings: OidcSettings, target: str) -> Response:
    """The redirect to the provider; state, nonce and code verifier wait in the session."""
    client = _client(request, settings)
    await _checked_metadata(client, settings)
    # A sign-in begun before and never finished leaves its state behind: only the newest counts.
    for key in [key for key in request.session if key.startswith(f"_state_{_NAME}_")]:
        del request.session[key]
    request.session[_NEXT] = target
    response: Response = await client.authorize_redirect(request, redirect_uri(request, settings))
    return response


async def _checked_metadata(client: StarletteOAuth2App, settings: OidcSettings) -> None:
    try:
        metadata: dict[str, Any] = await client.load_server_metadata()
    except Exception as error:  # unreachable provider, not JSON: the same answer
        log.warning("oidc.discovery_failed", error=type(error).__name__)
        raise _failed(
            "de identiteitsprovider is niet bereikbaar", "the provider cannot be reached"
        ) from None
    if str(metadata.get("issuer", "")).rstrip("/") != settings.issuer:
        log.warning(
            "oidc.issuer_mismatch", configured=settings.issuer, found=metadata.get("issuer")
        )
        raise _failed(
            "de provider noemt een andere issuer dan ingesteld",
            "the provider names another issuer than configured",
        )


def _failed(nl: str, en: str) -> OidcRefused:
    return OidcRefused(
        Text(PROVIDER_FAILED.nl.format(reason=nl), PROVIDER_FAILED.en.format(reason=en))
    )


def _claims_options(settings: OidcSettings) -> dict[str, Any]:
    # Issuer and audience checked against the settings, not only the metadata.
    return {
        "iss": {"essential": True, "value": settings.issuer},
        "aud": {"essential": True, "value": settings.client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
    }


def role_from(claims: Mapping[str, Any], settings: OidcSettings) -> users.AccountRole | None:
    """The account role the claims give, or None."""
    if settings.group_roles:
        groups = claims.get(settings.groups_claim)
        names = [groups] if isinstance(groups, str) else list(groups or [])
        mapped = settings.group_roles
        found = {users.role_of(mapped[str(g)]) for g in names if str(g) in mapped}
        return next((role for role in _PRECEDENCE if role in found), None)
    value = claims.get(settings.role_claim)
    values = [value] if isinstance(value, str) else list(value or [])
    found = set()
    for word in values:
        try:
            found.add(users.role_of(str(word)))
        except HotspotError:
            continue
    return next((role for role in _PRECEDENCE if role in found), None)


async def finish(request: Request, settings: OidcSettings) -> tuple[users.Facilitator, str]:
    """The callback: the account signed in and where to go next; OidcRefused otherwise."""
    from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError

    client = _client(request, settings)
    target = str(request.session.pop(_NEXT, "") or "/procedures")
    if request.query_params.get("error"):
        error = request.query_params.get("error", "")[:80]
        log.warning("oidc.provider_error", error=error)
        raise _failed(f"de provider meldt {error}", f"the provider reports {error}")
    await _checked_metadata(client, settings)
    try:
        token = await client.authorize_access_token(
            request, claims_options=_claims_options(settings), leeway=60
        )
    except MismatchingStateError:
        log.warning("oidc.wrong_state")
        raise OidcRefused(WRONG_STATE) from None
    except (OAuthError, ValueError) as error:
        # A bad signature, issuer, audience or nonce, an expired token, a refused code.
        log.warning("oidc.token_refused", error=type(error).__name__, detail=str(error)[:200])
        raise _failed("het ID-token is niet geldig", "the ID token is not valid") from None
    except Exception as error:
        log.warning("oidc.token_failed", error=type(error).__name__, detail=str(error)[:200])
        raise _failed("de tokens kwamen niet", "the tokens did not arrive") from None
    claims = token.get("userinfo")
    if not claims:
        raise _failed("er kwam geen ID-token", "no ID token came")
    claims = dict(claims)
    wanted = settings.groups_claim if settings.group_roles else settings.role_claim
    if wanted not in claims:
        # Many providers give only the userinfo endpoint the profile's claims; the subject
        # there must be the ID token's.
        extra = await _userinfo(client, token)
        if extra.get("sub") == claims["sub"]:
            claims = {**extra, **claims}
    role = role_from(claims, settings)
    if role is None:
        log.warning("oidc.no_role", subject=claims["sub"], claim=wanted)
        raise OidcRefused(no_role(settings))
    hint = str(claims.get("preferred_username") or claims.get("email") or claims["sub"])
    hint = hint.split("@", 1)[0]
    user = await _sign_in(request, settings, claims, role, hint)
    return user, target


async def _userinfo(client: StarletteOAuth2App, token: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return dict(await client.userinfo(token=token))
    except Exception as error:
        log.warning("oidc.userinfo_failed", error=type(error).__name__)
        return {}


async def _sign_in(
    request: Request,
    settings: OidcSettings,
    claims: Mapping[str, Any],
    role: users.AccountRole,
    hint: str,
) -> users.Facilitator:
    app = web_app(request).app

    def sign_in() -> users.Facilitator:
        return users.sign_in_oidc(
            app,
            issuer=settings.issuer,
            subject=str(claims["sub"]),
            role=role,
            name=str(claims.get("name") or ""),
            username_hint=hint,
            create=settings.unknown_users == "create",
        )

    return await anyio.to_thread.run_sync(sign_in)

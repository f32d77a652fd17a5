"""Django REST framework: ``BearerAuthentication`` and the ``HasScopes`` permission.

::

    # settings.py
    REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": ["josekit.integrations.django.BearerAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["josekit.integrations.django.HasScopes"],
    }
    JOSEKIT = {
        "JWKS_URL": "https://issuer.example/.well-known/jwks.json",
        "ISSUER": "https://issuer.example",
        "AUDIENCE": "https://api.example",
        "ALGORITHMS": ["ES256"],
    }
    # or JOSEKIT = {"VERIFIER": "myproject.auth.make_verifier"}  (a callable or a verifier)

    # views.py
    class Items(APIView):
        required_scopes = ["items:read"]

``request.user`` is a :class:`TokenUser`, ``request.auth`` the
:class:`~josekit.web.Principal`. ``authenticate_header`` gives the RFC 6750 challenge, so DRF
answers 401 (not 403) with ``WWW-Authenticate``; 400, 403 ``insufficient_scope`` and 503
carry their own. Other ``JOSEKIT`` keys: ``PROFILE``, ``REQUIRED_SCOPES``, ``LEEWAY``,
``TYP``, ``DPOP``, ``DPOP_ALGORITHMS``, ``PUBLIC_URL``, ``REALM``, ``RESOURCE_METADATA``,
``ALLOW_QUERY_TOKEN``, and for DPoP across replicas ``DPOP_NONCE_SECRET`` (at least 32 random
bytes shared by every replica: server nonces from a :class:`~josekit.dpop.NonceIssuer`) and
``REPLAY_CACHE`` (a ``redis://`` or ``rediss://`` URL for a
:class:`~josekit.replay.RedisReplayCache`, or a replay cache object; in-process by default).
With DPoP nonces, also set ``REST_FRAMEWORK["EXCEPTION_HANDLER"] =
"josekit.integrations.django.exception_handler"`` so that ``DPoP-Nonce`` is sent. Needs
``pip install 'josekit[django]'``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from ..errors import BearerError, JoseError
from ..web import BearerVerifier, Principal
from ..web._verifier import sync_refused
from ._common import FORM, joined, missing_extra

try:
    from django.conf import settings
    from django.utils.module_loading import import_string
    from rest_framework import exceptions
    from rest_framework.authentication import BaseAuthentication
    from rest_framework.permissions import BasePermission
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise missing_extra("Django REST framework", "django") from exc

__all__ = [
    "BearerAuthentication",
    "BearerRefused",
    "HasScopes",
    "TokenUser",
    "exception_handler",
    "get_verifier",
]

_OPTIONS = {
    "ISSUER": "issuer",
    "AUDIENCE": "audience",
    "ALGORITHMS": "algorithms",
    "PROFILE": "profile",
    "REQUIRED_SCOPES": "required_scopes",
    "LEEWAY": "leeway",
    "TYP": "typ",
    "DPOP": "dpop",
    "DPOP_ALGORITHMS": "dpop_algorithms",
    "PUBLIC_URL": "public_url",
    "REALM": "realm",
    "RESOURCE_METADATA": "resource_metadata",
    "ALLOW_QUERY_TOKEN": "allow_query_token",
}
_ERROR_ATTRIBUTE = "_josekit_bearer_error"


def _replay_cache(value: Any) -> Any:
    if isinstance(value, str):
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise JoseError("JOSEKIT['REPLAY_CACHE'] must be a redis:// URL or a replay cache")
        from ..replay import RedisReplayCache

        return RedisReplayCache(value)
    return value


def _nonce_issuer(secret: Any) -> Any:
    from ..dpop import NonceIssuer

    return NonceIssuer(secret)


# Settings whose value is made into the object the verifier takes: key -> (argument, maker).
_MADE: dict[str, tuple[str, Any]] = {
    "DPOP_NONCE_SECRET": ("nonce", _nonce_issuer),
    "REPLAY_CACHE": ("replay", _replay_cache),
}


def _frozen(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


@functools.lru_cache(maxsize=16)
def _build(config: tuple[tuple[str, Any], ...]) -> BearerVerifier:
    values = dict(config)
    if "VERIFIER" in values:
        target = values["VERIFIER"]
        made = import_string(target) if isinstance(target, str) else target
        verifier = made() if callable(made) and not isinstance(made, BearerVerifier) else made
        if not isinstance(verifier, BearerVerifier):
            raise JoseError(
                "JOSEKIT['VERIFIER'] must name a BearerVerifier or a function making one"
            )
        if verifier.async_only:
            raise sync_refused("Django REST framework authentication")
        return verifier
    unknown = set(values) - set(_OPTIONS) - set(_MADE) - {"JWKS_URL"}
    missing = {"JWKS_URL", "ISSUER", "AUDIENCE", "ALGORITHMS"} - set(values)
    if unknown or missing:
        raise JoseError(
            "settings.JOSEKIT needs JWKS_URL, ISSUER, AUDIENCE and ALGORITHMS (or VERIFIER)"
            + (f"; missing: {sorted(missing)}" if missing else "")
            + (f"; unknown keys: {sorted(unknown)}" if unknown else "")
        )
    from ..jwks import RemoteKeySet

    options = {_OPTIONS[k]: v for k, v in values.items() if k in _OPTIONS}
    options.update({_MADE[k][0]: _MADE[k][1](v) for k, v in values.items() if k in _MADE})
    return BearerVerifier(RemoteKeySet(values["JWKS_URL"]), **options)


def get_verifier() -> BearerVerifier:
    """The verifier that ``settings.JOSEKIT`` describes (made once per configuration).

    Raises:
        JoseError: ``JOSEKIT`` is missing or incomplete.
    """
    config = getattr(settings, "JOSEKIT", None)
    if not isinstance(config, dict):
        raise JoseError("settings.JOSEKIT must be a dict (see josekit.integrations.django)")
    return _build(tuple(sorted((k, _frozen(v)) for k, v in config.items())))


class TokenUser:
    """``request.user`` of a request authenticated by a token."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    @property
    def username(self) -> str:
        """The subject, else the client id."""
        return self.principal.subject or self.principal.client_id or ""

    def __str__(self) -> str:
        return self.username


class BearerRefused(exceptions.APIException):
    """A refusal with its own status and ``WWW-Authenticate`` (400, 403, 503)."""

    def __init__(self, error: BearerError) -> None:
        super().__init__(detail=error.description, code=error.error)
        self.status_code = error.status
        self.auth_header = error.www_authenticate
        retry = error.headers.get("Retry-After")
        self.wait = int(retry) if retry and retry.isdigit() else None


class _Unauthenticated(exceptions.AuthenticationFailed):
    """A 401: DRF adds :meth:`BearerAuthentication.authenticate_header` to it."""


class BearerAuthentication(BaseAuthentication):
    """DRF authentication by access token; override :meth:`get_verifier` to build your own."""

    def get_verifier(self) -> BearerVerifier:
        """The verifier to use; by default the one ``settings.JOSEKIT`` describes."""
        return get_verifier()

    def authenticate(self, request: Any) -> tuple[TokenUser, Principal] | None:
        """``(user, principal)``; ``None`` without credentials (other classes may try)."""
        meta = request.META
        authorization = meta.get("HTTP_AUTHORIZATION")
        form = None
        if meta.get("CONTENT_TYPE", "").split(";")[0].strip().lower() == FORM:
            form = joined(request.POST.getlist("access_token"))
        if (
            authorization is None
            and form is None
            and "access_token" not in meta.get("QUERY_STRING", "")
        ):
            return None
        verifier = self.get_verifier()
        try:
            principal = verifier.verify(
                authorization,
                method=request.method,
                url=request.build_absolute_uri(),
                dpop=joined([meta["HTTP_DPOP"]] if "HTTP_DPOP" in meta else []),
                form_token=form,
            )
        except BearerError as error:
            setattr(request, _ERROR_ATTRIBUTE, error)
            if error.status == 401:
                raise _Unauthenticated(error.description, code=error.error) from None
            raise BearerRefused(error) from None
        return TokenUser(principal), principal

    def authenticate_header(self, request: Any) -> str:
        """The challenge of the refusal, or the bare one when no credentials came."""
        error = getattr(request, _ERROR_ATTRIBUTE, None)
        if isinstance(error, BearerError) and error.www_authenticate is not None:
            return error.www_authenticate
        return self.get_verifier().challenge()


def exception_handler(exc: Exception, context: dict[str, Any]) -> Any:
    """DRF's exception handler, plus the other headers of a refusal (``DPoP-Nonce``...).

    DRF's own handler sends only ``WWW-Authenticate`` and ``Retry-After``; a DPoP
    ``use_dpop_nonce`` refusal also needs ``DPoP-Nonce`` and ``Cache-Control: no-store``
    (RFC 9449 §9). Set ``REST_FRAMEWORK["EXCEPTION_HANDLER"] =
    "josekit.integrations.django.exception_handler"`` when the verifier demands DPoP nonces.
    """
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    request = context.get("request")
    error = getattr(request, _ERROR_ATTRIBUTE, None)
    if response is not None and isinstance(error, BearerError):
        for name, value in error.headers.items():
            if not response.has_header(name):
                response[name] = value
    return response


class HasScopes(BasePermission):
    """Allow a request whose token grants every scope in the view's ``required_scopes``."""

    def get_verifier(self) -> BearerVerifier:
        """The verifier whose challenge a 403 carries (``settings.JOSEKIT``'s by default)."""
        return get_verifier()

    def has_permission(self, request: Any, view: Any) -> bool:
        """True with every scope; False (401) without a token; 403 with the challenge."""
        principal = request.auth
        if not isinstance(principal, Principal):
            return False
        scopes: Iterable[str] = getattr(view, "required_scopes", ())
        try:
            self.get_verifier().require_scopes(principal, scopes)
        except BearerError as error:
            raise BearerRefused(error) from None
        return True

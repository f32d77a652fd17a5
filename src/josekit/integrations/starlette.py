"""Starlette: ``BearerAuthBackend`` for ``AuthenticationMiddleware``, and its ``on_error``.

::

    from starlette.middleware import Middleware
    from starlette.middleware.authentication import AuthenticationMiddleware
    from josekit.integrations.starlette import BearerAuthBackend, on_error

    app = Starlette(routes=..., middleware=[
        Middleware(AuthenticationMiddleware, backend=BearerAuthBackend(verifier),
                   on_error=on_error),
    ])

The token's scopes become ``request.auth.scopes`` (``AuthCredentials``), the
:class:`~josekit.web.Principal` is ``request.user.principal``; a refusal reaches
:func:`on_error`, which answers with the verifier's status, JSON body and
``WWW-Authenticate``. The middleware sees no request body, so a token in a form body is not
read here (the FastAPI dependency reads it). Needs Starlette (``pip install
'josekit[server]'``).
"""

from __future__ import annotations

from ..errors import BearerError
from ..web import BearerVerifier, Principal
from ._common import error_body, joined, missing_extra

try:
    from starlette.authentication import (
        AuthCredentials,
        AuthenticationBackend,
        AuthenticationError,
        BaseUser,
    )
    from starlette.requests import HTTPConnection
    from starlette.responses import JSONResponse, Response
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise missing_extra("Starlette", "server") from exc

__all__ = ["BearerAuthBackend", "BearerAuthenticationError", "TokenUser", "on_error"]


class TokenUser(BaseUser):
    """The authenticated user of a request: its :class:`~josekit.web.Principal`."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    @property
    def is_authenticated(self) -> bool:
        """Always true: the token verified."""
        return True

    @property
    def display_name(self) -> str:
        """The subject, else the client id."""
        return self.principal.subject or self.principal.client_id or ""

    @property
    def identity(self) -> str:
        """The subject (``sub``), if the token has one."""
        return self.principal.subject or ""


class BearerAuthenticationError(AuthenticationError):
    """A refusal on its way to :func:`on_error`; ``.bearer`` is the :class:`BearerError`."""

    def __init__(self, bearer: BearerError) -> None:
        super().__init__(bearer.description)
        self.bearer = bearer


class BearerAuthBackend(AuthenticationBackend):
    """Authenticate every request by its access token.

    Args:
        verifier: the :class:`~josekit.web.BearerVerifier` holding the rules.
        optional: when true, a request without any credentials passes as anonymous (for
            apps with public routes guarded by ``@requires``); otherwise it is refused with
            the bare ``Bearer`` challenge. A bad token is refused either way.
    """

    def __init__(self, verifier: BearerVerifier, *, optional: bool = False) -> None:
        self.verifier = verifier
        self.optional = optional

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        """The credentials and user of ``conn``; raises when its token is refused."""
        headers = conn.headers
        authorization = joined(headers.getlist("authorization"))
        if self.optional and authorization is None and "access_token" not in conn.url.query:
            return None
        try:
            principal = await self.verifier.verify_async(
                authorization,
                method=conn.scope.get("method", "GET"),
                url=str(conn.url),
                dpop=joined(headers.getlist("dpop")),
            )
        except BearerError as error:
            raise BearerAuthenticationError(error) from None
        return AuthCredentials(sorted(principal.scopes)), TokenUser(principal)


def on_error(conn: HTTPConnection, exc: AuthenticationError) -> Response:
    """The RFC 6750 answer to a refused request (pass as ``on_error=`` to the middleware)."""
    if isinstance(exc, BearerAuthenticationError):
        error = exc.bearer
        return JSONResponse(error_body(error), status_code=error.status, headers=error.headers)
    return JSONResponse({"error_description": "authentication failed"}, status_code=401)

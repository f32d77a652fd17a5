"""FastAPI: ``RequireToken``, a dependency that returns the request's :class:`Principal`.

::

    from fastapi import Depends, FastAPI, Security
    from josekit.integrations.fastapi import RequireToken

    require_token = RequireToken(verifier)

    @app.get("/items")
    async def items(principal: Principal = Depends(require_token)): ...

    @app.delete("/items/{id}")
    async def delete(principal: Principal = Security(require_token, scopes=["items:write"])):
        ...

A refusal becomes an ``HTTPException`` with the verifier's status and headers
(``WWW-Authenticate``...); the dependency declares an HTTP bearer security scheme, so the
OpenAPI page shows it and its "Authorize" button. Needs ``pip install 'josekit[fastapi]'``.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import BearerError
from ..web import BearerVerifier, Principal
from ..web._challenge import scope_names
from ._common import FORM, asgi_headers, form_access_token, missing_extra, needs_url

try:
    from fastapi import HTTPException, Request
    from fastapi.openapi.models import HTTPBase, HTTPBearer
    from fastapi.security import SecurityScopes
    from fastapi.security.base import SecurityBase
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise missing_extra("FastAPI", "fastapi") from exc

__all__ = ["RequireToken"]


class RequireToken(SecurityBase):
    """A FastAPI dependency verifying the request's access token; it returns the Principal.

    Args:
        verifier: the :class:`~josekit.web.BearerVerifier` holding the rules.
        scopes: scopes this dependency requires, on top of the verifier's; ``Security(...,
            scopes=[...])`` adds more per route.
        scheme_name: the security scheme's name in the OpenAPI document.
        description: the security scheme's description in the OpenAPI document.

    Raises:
        JoseError: a scope is not a valid scope name.
    """

    def __init__(
        self,
        verifier: BearerVerifier,
        scopes: Iterable[str] = (),
        *,
        scheme_name: str = "BearerToken",
        description: str | None = None,
    ) -> None:
        self.verifier = verifier
        self.scopes = frozenset(scope_names(scopes))
        # A verifier that takes only DPoP-bound tokens declares the DPoP scheme (RFC 9449 §7.1).
        self.model = (
            HTTPBase(scheme="DPoP", description=description)
            if verifier.dpop == "required"
            else HTTPBearer(bearerFormat="JWT", description=description)
        )
        self.scheme_name = scheme_name

    async def __call__(self, request: Request, security_scopes: SecurityScopes) -> Principal:
        """Verify the request; raise ``HTTPException`` with the RFC 6750 answer if refused."""
        found = asgi_headers(request.scope["headers"])
        dpop = found.dpop
        form = None
        if found.content_type is not None and FORM in found.content_type.lower():
            # The body is kept by the request, so the endpoint can still read it.
            form = form_access_token(found.content_type, await request.body())
        try:
            principal = await self.verifier.verify_async(
                found.authorization,
                method=request.method,
                url=str(request.url) if needs_url(request.scope["query_string"], dpop) else None,
                dpop=dpop,
                form_token=form,
            )
            needed = self.scopes
            if security_scopes.scopes:
                needed = needed | frozenset(scope_names(security_scopes.scopes))
            if needed:
                self.verifier.require_scopes(principal, needed)
        except BearerError as error:
            raise HTTPException(
                error.status, detail=error.description, headers=error.headers
            ) from None
        return principal

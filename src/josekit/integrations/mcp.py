"""MCP Python SDK: ``TokenVerifier`` for an MCP server's ``token_verifier=``.

::

    from mcp.server.auth.settings import AuthSettings
    from mcp.server.mcpserver import MCPServer
    from josekit.integrations.mcp import TokenVerifier

    verifier = BearerVerifier(keys, issuer=ISSUER, audience="https://mcp.example/mcp", ...)
    server = MCPServer("demo", token_verifier=TokenVerifier(verifier), auth=AuthSettings(
        issuer_url=ISSUER, resource_server_url="https://mcp.example/mcp",
        required_scopes=["mcp"], validate_token_resource=True))

The server's resource (RFC 8707) is the verifier's ``audience``, so a token issued for
another resource is refused. A refused token gives ``None`` (the SDK answers 401); when the
keys cannot be fetched it raises, so the server answers with a 5xx instead of blaming the
client. Needs ``pip install 'josekit[mcp]'``.
"""

from __future__ import annotations

from ..errors import BearerError
from ..web import BearerVerifier
from ._common import missing_extra

try:
    from mcp.server.auth.provider import AccessToken
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise missing_extra("the MCP Python SDK", "mcp") from exc

__all__ = ["TokenVerifier"]


class TokenVerifier:
    """The MCP SDK's ``TokenVerifier`` protocol over a :class:`~josekit.web.BearerVerifier`.

    Args:
        verifier: the rules; its ``audience`` is this MCP server's resource URL.
    """

    def __init__(self, verifier: BearerVerifier) -> None:
        self.verifier = verifier
        audience = verifier.audience
        self._resources = (audience,) if isinstance(audience, str) else tuple(audience)

    async def verify_token(self, token: str) -> AccessToken | None:
        """The token's ``AccessToken``, or ``None`` when it is refused.

        Raises:
            BearerError: the keys could not be fetched (status 503): not the client's fault.
        """
        try:
            # The SDK has cut "Bearer " off the header; the verifier checks the rest again.
            principal = await self.verifier.verify_async("Bearer " + token)
        except BearerError as error:
            if error.status >= 500:
                raise
            return None
        claims = principal.claims
        aud = claims.get("aud")
        audiences = [aud] if isinstance(aud, str) else list(aud or ())
        resource = next((r for r in self._resources if r in audiences), None)
        exp = claims.get("exp")
        return AccessToken(
            token=token,
            client_id=principal.client_id or "",
            scopes=sorted(principal.scopes),
            expires_at=int(exp) if isinstance(exp, (int, float)) else None,
            resource=resource,
            subject=principal.subject,
            claims=dict(claims),
        )

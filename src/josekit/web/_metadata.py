"""OAuth 2.0 Protected Resource Metadata (RFC 9728): the document and where it lives."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from ..errors import JoseError
from ._challenge import scope_names

__all__ = ["metadata_url", "protected_resource_metadata"]

WELL_KNOWN = "/.well-known/oauth-protected-resource"


def _url(value: object, what: str, *, https_only: bool = True) -> str:
    if not isinstance(value, str) or not value.isascii() or not value.isprintable():
        raise JoseError(f"{what} must be an absolute https URL")
    parts = urlsplit(value)
    loopback = parts.hostname in ("localhost", "127.0.0.1", "::1")
    scheme_ok = parts.scheme == "https" or (parts.scheme == "http" and loopback)
    if (
        not scheme_ok
        or not parts.hostname
        or parts.fragment
        or "@" in parts.netloc
        or any(c in value for c in '"\\ ')
    ):
        raise JoseError(
            f"{what} must be an absolute https URL (http only to loopback) with no fragment, "
            f"user info, quotes or spaces, not {value!r}"
        )
    if https_only and parts.query:
        raise JoseError(f"{what} must not have a query component (RFC 9728 §1.2)")
    return value


def metadata_url(resource: str) -> str:
    """Where RFC 9728 §3.1 publishes the metadata of ``resource``.

    ``https://api.example/v1`` → ``https://api.example/.well-known/oauth-protected-resource/v1``.
    """
    parts = urlsplit(_url(resource, "resource"))
    path = parts.path.rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{WELL_KNOWN}{path}"


def protected_resource_metadata(
    resource: str,
    *,
    authorization_servers: Iterable[str],
    scopes_supported: Iterable[str] | None = None,
    bearer_methods_supported: Iterable[str] = ("header",),
    resource_name: str | None = None,
    resource_documentation: str | None = None,
    jwks_uri: str | None = None,
    dpop_signing_alg_values_supported: Iterable[str] | None = None,
    dpop_bound_access_tokens_required: bool | None = None,
) -> dict[str, Any]:
    """The RFC 9728 §2 metadata document of a protected resource, as a JSON-ready dict.

    Serve it (with ``Cache-Control``) at :func:`metadata_url` and name that URL in the
    verifier's ``resource_metadata=`` so that every 401 challenge points to it.

    Args:
        resource: the resource identifier: the exact URL that tokens carry in ``aud``
            (the verifier's ``audience``), https, no query or fragment.
        authorization_servers: the issuer URLs of the authorization servers it trusts,
            from configuration.
        scopes_supported: the scopes it understands.
        bearer_methods_supported: how tokens may be sent (``header``, ``body``, ``query``).
        resource_name: a human-readable name.
        resource_documentation: a URL of documentation for developers.
        jwks_uri: the resource's own JWK Set URL (for signed responses), if any.
        dpop_signing_alg_values_supported: the DPoP proof algorithms it accepts.
        dpop_bound_access_tokens_required: whether it accepts only DPoP-bound tokens.

    Raises:
        JoseError: a URL is not an acceptable https URL, a list is empty or holds a value of
            the wrong kind.
    """
    document: dict[str, Any] = {"resource": _url(resource, "resource")}
    if isinstance(authorization_servers, str):
        raise JoseError("authorization_servers must be a list of issuer URLs, not a string")
    servers = [_url(url, "each authorization server") for url in authorization_servers]
    if not servers:
        raise JoseError("authorization_servers must name at least one authorization server")
    document["authorization_servers"] = servers
    if scopes_supported is not None:
        document["scopes_supported"] = list(scope_names(scopes_supported, "scopes_supported"))
    methods = list(scope_names(bearer_methods_supported, "bearer_methods_supported"))
    if not set(methods) <= {"header", "body", "query"}:
        raise JoseError("bearer_methods_supported holds 'header', 'body' or 'query'")
    document["bearer_methods_supported"] = methods
    if resource_name is not None:
        if not (isinstance(resource_name, str) and resource_name):
            raise JoseError("resource_name must be a non-empty string")
        document["resource_name"] = resource_name
    if resource_documentation is not None:
        document["resource_documentation"] = _url(
            resource_documentation, "resource_documentation", https_only=False
        )
    if jwks_uri is not None:
        document["jwks_uri"] = _url(jwks_uri, "jwks_uri", https_only=False)
    if dpop_signing_alg_values_supported is not None:
        document["dpop_signing_alg_values_supported"] = list(
            scope_names(dpop_signing_alg_values_supported, "dpop_signing_alg_values_supported")
        )
    if dpop_bound_access_tokens_required is not None:
        if not isinstance(dpop_bound_access_tokens_required, bool):
            raise JoseError("dpop_bound_access_tokens_required must be True or False")
        document["dpop_bound_access_tokens_required"] = dpop_bound_access_tokens_required
    return document

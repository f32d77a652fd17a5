"""RFC 9728 protected resource metadata."""

from __future__ import annotations

import pytest

from josekit.errors import JoseError
from josekit.web import metadata_url, protected_resource_metadata


def test_document() -> None:
    doc = protected_resource_metadata(
        "https://api.example/v1",
        authorization_servers=["https://issuer.example"],
        scopes_supported=["read", "write"],
        resource_name="Example API",
        dpop_signing_alg_values_supported=["ES256"],
        dpop_bound_access_tokens_required=False,
    )
    assert doc == {
        "resource": "https://api.example/v1",
        "authorization_servers": ["https://issuer.example"],
        "scopes_supported": ["read", "write"],
        "bearer_methods_supported": ["header"],
        "resource_name": "Example API",
        "dpop_signing_alg_values_supported": ["ES256"],
        "dpop_bound_access_tokens_required": False,
    }


def test_metadata_url_inserts_the_well_known_path() -> None:
    assert metadata_url("https://api.example") == (
        "https://api.example/.well-known/oauth-protected-resource"
    )
    assert metadata_url("https://api.example/v1/") == (
        "https://api.example/.well-known/oauth-protected-resource/v1"
    )


@pytest.mark.parametrize(
    ("resource", "servers"),
    [
        ("http://api.example", ["https://issuer.example"]),
        ("https://api.example#frag", ["https://issuer.example"]),
        ("https://api.example?q=1", ["https://issuer.example"]),
        ("https://user@api.example", ["https://issuer.example"]),
        ('https://api.example/"', ["https://issuer.example"]),
        ("https://api.example", []),
        ("https://api.example", "https://issuer.example"),
        ("https://api.example", ["javascript:alert(1)"]),
    ],
)
def test_bad_values_are_refused(resource: str, servers: list[str]) -> None:
    with pytest.raises(JoseError):
        protected_resource_metadata(resource, authorization_servers=servers)


def test_bearer_methods_are_checked() -> None:
    with pytest.raises(JoseError, match="bearer_methods_supported"):
        protected_resource_metadata(
            "https://api.example",
            authorization_servers=["https://issuer.example"],
            bearer_methods_supported=["cookie"],
        )

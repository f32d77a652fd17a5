"""IssuerMetadataKeys against a real loopback server (uvicorn on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "jwks"))  # the live servers
from jwks_helpers import Counting, Live, Scripted, serve

from josekit import KeySet, jwk, sdjwt
from josekit.errors import JWKSFetchError, SDJWTError
from josekit.sdjwt import SD

KEY = jwk.generate("EC", crv="P-256", kid="issuer-1")
KEYS = KeySet([KEY.public()])
NOW = 1_800_000_000


@pytest.fixture(scope="module")
def server() -> Iterator[Live]:
    app = Scripted()
    counter = Counting(app)
    with serve(counter) as base:
        yield Live(app, counter, base)


@pytest.fixture
def live(server: Live) -> Live:
    server.app.reset()
    server.counter.reset()
    return server


def _publish(live: Live, issuer: str, **document: Any) -> str:
    path = "/.well-known/jwt-vc-issuer/tenant"
    body = {"issuer": issuer, **document}
    live.app.routes[path] = (200, {}, json.dumps(body).encode())
    live.app.routes["/jwks"] = (200, {}, KEYS.to_json().encode())
    return path


def _credential(issuer: str, key: jwk.Key = KEY) -> str:
    claims = {"iss": issuer, "vct": "urn:example:pid", "given_name": SD("Ada")}
    return sdjwt.issue(claims, key, "ES256", typ="dc+sd-jwt")


def _verify(credential: str, keys: Any) -> sdjwt.VerifiedSDJWT:
    return sdjwt.verify(
        credential,
        keys,
        algorithms=["ES256"],
        require_key_binding=False,
        typ="dc+sd-jwt",
        vct="urn:example:pid",
        now=NOW,
    )


def test_inline_keys_verify_the_issuers_credentials(live: Live) -> None:
    issuer = live.base + "/tenant"
    path = _publish(live, issuer, jwks=KEYS.to_dict())
    keys = sdjwt.IssuerMetadataKeys(issuer)
    assert _verify(_credential(issuer), keys).claims["given_name"] == "Ada"
    assert _verify(_credential(issuer), keys).key is not None
    assert live.hits(path) == 1
    assert keys.key_set().get("issuer-1") is not None


def test_keys_by_jwks_uri_are_fetched_through_a_remote_key_set(live: Live) -> None:
    issuer = live.base + "/tenant"
    path = _publish(live, issuer, jwks_uri=live.base + "/jwks")
    keys = sdjwt.IssuerMetadataKeys(issuer)
    for _ in range(3):
        assert _verify(_credential(issuer), keys).claims["vct"] == "urn:example:pid"
    assert live.hits(path) == 1
    assert live.hits("/jwks") == 1
    keys.close()


def test_metadata_for_another_issuer_is_refused(live: Live) -> None:
    issuer = live.base + "/tenant"
    _publish(live, "https://impostor.example/tenant", jwks=KEYS.to_dict())
    with pytest.raises(SDJWTError, match="must match exactly"):
        _verify(_credential(issuer), sdjwt.IssuerMetadataKeys(issuer))


def test_a_credential_naming_another_issuer_is_refused(live: Live) -> None:
    issuer = live.base + "/tenant"
    _publish(live, issuer, jwks=KEYS.to_dict())
    with pytest.raises(SDJWTError, match="its keys are those of"):
        _verify(_credential("https://other.example"), sdjwt.IssuerMetadataKeys(issuer))


def test_a_credential_signed_by_another_key_is_refused(live: Live) -> None:
    issuer = live.base + "/tenant"
    _publish(live, issuer, jwks=KEYS.to_dict())
    stranger = jwk.generate("EC", crv="P-256", kid="issuer-1")
    with pytest.raises(SDJWTError, match="issuer-signed JWT was refused"):
        _verify(_credential(issuer, stranger), sdjwt.IssuerMetadataKeys(issuer))


@pytest.mark.parametrize(
    "document",
    [{}, {"jwks": KEYS.to_dict(), "jwks_uri": "https://x.example/jwks"}],
    ids=["neither", "both"],
)
def test_metadata_must_carry_exactly_one_key_source(live: Live, document: Any) -> None:
    issuer = live.base + "/tenant"
    _publish(live, issuer, **document)
    with pytest.raises(SDJWTError, match="exactly one"):
        _verify(_credential(issuer), sdjwt.IssuerMetadataKeys(issuer))


def test_a_private_key_in_the_metadata_is_refused(live: Live) -> None:
    issuer = live.base + "/tenant"
    _publish(live, issuer, jwks=KeySet([KEY]).to_dict(private=True))
    with pytest.raises(SDJWTError, match="private"):
        _verify(_credential(issuer), sdjwt.IssuerMetadataKeys(issuer))


def test_a_failed_fetch_is_not_retried_within_the_cooldown(live: Live) -> None:
    issuer = live.base + "/tenant"
    live.app.status = 500
    keys = sdjwt.IssuerMetadataKeys(issuer, cooldown=60)
    for _ in range(3):
        with pytest.raises(SDJWTError, match="500"):
            _verify(_credential(issuer), keys)
    assert live.hits("/.well-known/jwt-vc-issuer/tenant") == 1


def test_the_issuer_url_is_checked() -> None:
    with pytest.raises(JWKSFetchError, match="plain HTTP"):
        sdjwt.IssuerMetadataKeys("http://issuer.example")
    with pytest.raises(JWKSFetchError, match="query"):
        sdjwt.IssuerMetadataKeys("https://issuer.example/?tenant=1")
    url = sdjwt._metadata.metadata_url("https://issuer.example/tenant/", allow_http=False)
    assert url == "https://issuer.example/.well-known/jwt-vc-issuer/tenant"


def test_the_async_twin_gives_keys_bound_to_the_issuer(live: Live) -> None:
    issuer = live.base + "/tenant"
    _publish(live, issuer, jwks_uri=live.base + "/jwks")

    async def scenario() -> tuple[sdjwt.VerifiedSDJWT, str]:
        keys = sdjwt.AsyncIssuerMetadataKeys(issuer)
        bound = await keys.issuer_keys()
        verified = _verify(_credential(issuer), bound)
        candidates = await keys.candidates_async({"alg": "ES256", "kid": "issuer-1"}, "verify")
        await keys.aclose()
        assert [k.kid for k in candidates] == ["issuer-1"]
        with pytest.raises(SDJWTError, match="its keys are those of"):
            _verify(_credential("https://other.example"), bound)
        return verified, bound.issuer

    verified, bound_issuer = asyncio.run(scenario())
    assert verified.claims["given_name"] == "Ada"
    assert bound_issuer == issuer


def test_a_plain_http_jwks_uri_elsewhere_is_refused(live: Live) -> None:
    issuer = live.base + "/tenant"
    _publish(live, issuer, jwks_uri="http://keys.example/jwks")
    with pytest.raises(SDJWTError, match="plain HTTP"):
        _verify(_credential(issuer), sdjwt.IssuerMetadataKeys(issuer))


def test_a_redirect_is_not_followed(live: Live) -> None:
    issuer = live.base + "/tenant"
    path = "/.well-known/jwt-vc-issuer/tenant"
    live.app.routes[path] = (302, {"location": "http://keys.example/metadata"}, b"")
    with pytest.raises(SDJWTError, match="redirect"):
        _verify(_credential(issuer), sdjwt.IssuerMetadataKeys(issuer))

"""BearerVerifier with DPoP (RFC 9449 §7): the proof, the binding, nonces and replays."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from web_helpers import AUDIENCE, ISSUER, NOW, Issuer

from josekit import cnf, dpop, jwk
from josekit.errors import BearerError, JoseError
from josekit.replay import AsyncMemoryReplayCache, MemoryReplayCache, RedisReplayCache
from josekit.web import BearerVerifier

URL = "https://api.example/items"
CLIENT = jwk.generate("EC", crv="P-256")
THIEF = jwk.generate("EC", crv="P-256")
ISSUER_NONCE = dpop.NonceIssuer(b"r" * 32, lifetime=60)


def verifier(issuer: Issuer, **options: Any) -> BearerVerifier:
    options.setdefault("dpop", "required")
    options.setdefault("replay", MemoryReplayCache(clock=lambda: NOW))
    return BearerVerifier(
        issuer.keys, issuer=ISSUER, audience=AUDIENCE, algorithms=["ES256"], **options
    )


def bound(issuer: Issuer, key: jwk.Key = CLIENT) -> str:
    return issuer.token(cnf=cnf.confirmation(key))


def proof(token: str, key: jwk.Key = CLIENT, **options: Any) -> str:
    options.setdefault("iat", NOW)
    return dpop.create_proof(
        key, options.pop("method", "GET"), options.pop("url", URL), access_token=token, **options
    )


def call(v: BearerVerifier, token: str, proof_value: str | None, **options: Any) -> Any:
    options.setdefault("method", "GET")
    options.setdefault("url", URL)
    return v.verify("DPoP " + token, dpop=proof_value, now=NOW, **options)


def refused(v: BearerVerifier, token: str, proof_value: str | None, **options: Any) -> BearerError:
    with pytest.raises(BearerError) as caught:
        call(v, token, proof_value, **options)
    return caught.value


def test_a_bound_token_with_its_proof_passes(issuer: Issuer) -> None:
    token = bound(issuer)
    found = call(verifier(issuer), token, proof(token))
    assert found.subject == "alice"
    assert found.claims["cnf"] == {"jkt": CLIENT.thumbprint()}


def test_allowed_mode_takes_both_schemes(issuer: Issuer) -> None:
    v = verifier(issuer, dpop="allowed")
    assert v.verify("Bearer " + issuer.token(), now=NOW).subject == "alice"
    token = bound(issuer)
    assert call(v, token, proof(token)).subject == "alice"


def test_a_bound_token_sent_as_bearer_is_refused(issuer: Issuer) -> None:
    v = verifier(issuer, dpop="allowed")
    with pytest.raises(BearerError) as caught:
        v.verify("Bearer " + bound(issuer), dpop=proof(bound(issuer)), url=URL, now=NOW)
    assert (caught.value.status, caught.value.error) == (401, "invalid_token")


def test_an_unbound_token_sent_as_dpop_is_refused(issuer: Issuer) -> None:
    token = issuer.token()
    err = refused(verifier(issuer), token, proof(token))
    assert (err.status, err.error) == (401, "invalid_token")


def test_a_token_bound_to_a_certificate_sent_as_dpop_is_refused(issuer: Issuer) -> None:
    token = issuer.token(cnf={"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"})
    err = refused(verifier(issuer), token, proof(token))
    assert (err.status, err.error) == (401, "invalid_token")


def test_a_stolen_token_with_the_thiefs_proof_is_refused(issuer: Issuer) -> None:
    token = bound(issuer)
    err = refused(verifier(issuer), token, proof(token, THIEF))
    assert (err.status, err.error) == (401, "invalid_dpop_proof")


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda t: None, id="no-proof"),
        pytest.param(lambda t: "not-a-proof", id="garbage"),
        pytest.param(lambda t: proof(t) + ", " + proof(t), id="two-proofs"),
        pytest.param(lambda t: proof("another-token"), id="proof-for-another-token"),
        pytest.param(lambda t: proof(t, method="POST"), id="wrong-htm"),
        pytest.param(lambda t: proof(t, url="https://evil.example/items"), id="wrong-htu"),
        pytest.param(lambda t: proof(t, iat=NOW - 3600), id="stale-iat"),
        pytest.param(
            lambda t: proof(t, alg="ES384", key=jwk.generate("EC", crv="P-384")),
            id="alg-not-allowed",
        ),
    ],
)
def test_invalid_proofs(issuer: Issuer, make: Any) -> None:
    token = bound(issuer)
    err = refused(verifier(issuer, dpop_algorithms=["ES256"]), token, make(token))
    assert (err.status, err.error) == (401, "invalid_dpop_proof")
    assert err.www_authenticate == (
        'DPoP error="invalid_dpop_proof", error_description="the DPoP proof is not valid", '
        'algs="ES256"'
    )


def test_a_replayed_proof_is_refused(issuer: Issuer) -> None:
    v = verifier(issuer)
    token = bound(issuer)
    value = proof(token)
    call(v, token, value)
    assert refused(v, token, value).error == "invalid_dpop_proof"


def test_nonce_round_trip(issuer: Issuer) -> None:
    v = verifier(issuer, nonce=ISSUER_NONCE)
    token = bound(issuer)
    err = refused(v, token, proof(token))
    assert (err.status, err.error) == (401, "use_dpop_nonce")
    assert err.headers["Cache-Control"] == "no-store"
    nonce = err.headers["DPoP-Nonce"]
    ISSUER_NONCE.check(nonce, now=NOW)
    assert 'error="use_dpop_nonce"' in err.headers["WWW-Authenticate"]
    assert call(v, token, proof(token, nonce=nonce)).subject == "alice"


def test_a_stale_or_forged_nonce_asks_for_a_new_one(issuer: Issuer) -> None:
    v = verifier(issuer, nonce=ISSUER_NONCE)
    token = bound(issuer)
    for nonce in (ISSUER_NONCE.new(now=NOW - 61), dpop.NonceIssuer(b"x" * 32).new(now=NOW)):
        assert refused(v, token, proof(token, nonce=nonce)).error == "use_dpop_nonce"


def test_verify_async_with_an_async_cache(issuer: Issuer) -> None:
    v = verifier(issuer, replay=AsyncMemoryReplayCache(clock=lambda: NOW))
    token = bound(issuer)
    value = proof(token)

    async def run() -> Any:
        return await v.verify_async("DPoP " + token, dpop=value, url=URL, now=NOW)

    assert asyncio.run(run()).subject == "alice"
    with pytest.raises(BearerError) as caught:
        asyncio.run(run())
    assert caught.value.error == "invalid_dpop_proof"
    with pytest.raises(JoseError, match="verify_async"):
        call(v, token, proof(token))


def test_replay_cache_outage_is_a_503(issuer: Issuer) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    v = verifier(issuer, replay=RedisReplayCache(f"redis://127.0.0.1:{port}/0"))
    token = bound(issuer)
    assert refused(v, token, proof(token)).status == 503


def test_options_are_checked_at_construction(issuer: Issuer) -> None:
    with pytest.raises(JoseError, match="asymmetric"):
        verifier(issuer, dpop_algorithms=["HS256"])
    with pytest.raises(JoseError):
        verifier(issuer, dpop_algorithms="ES256")
    with pytest.raises(JoseError, match="NonceIssuer"):
        verifier(issuer, nonce="fixed")
    with pytest.raises(JoseError, match="replay"):
        verifier(issuer, replay=object())
    token = bound(issuer)
    with pytest.raises(JoseError, match="url="):
        verifier(issuer).verify("DPoP " + token, dpop=proof(token), now=NOW)


@pytest.mark.parametrize("url", ["http:///items", "https://api.example:99999/items", "/items"])
def test_a_request_url_no_proof_can_match_is_refused(issuer: Issuer, url: str) -> None:
    """E.g. Werkzeug reports ``http:///items`` for a request whose Host header is invalid."""
    token = bound(issuer)
    err = refused(verifier(issuer), token, proof(token), url=url)
    assert (err.status, err.error) == (401, "invalid_dpop_proof")

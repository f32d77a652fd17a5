"""verify_proof: every check of RFC 9449 §4.3, each with a proof that fails only that check."""

from __future__ import annotations

import json
from typing import Any

import pytest
from dpop_helpers import NOW, URL, claims, forge, unsigned

from josekit import dpop, jwk, jwt
from josekit._b64 import b64d
from josekit.errors import (
    AlgorithmNotAllowedError,
    DPoPError,
    DPoPNonceError,
    InvalidHeaderError,
    InvalidKeyError,
    JoseError,
)
from josekit.replay import MemoryReplayCache

KEY = jwk.generate("EC", crv="P-256")
OTHER = jwk.generate("EC", crv="P-256")


def check(proof: str, **options: Any) -> dpop.DPoPProof:
    args: dict[str, Any] = {"method": "GET", "url": URL, "algorithms": ["ES256"], "now": NOW}
    args.update(options)
    return dpop.verify_proof(proof, **args)


def refused(proof: str, name: str, **options: Any) -> DPoPError:
    with pytest.raises(DPoPError) as info:
        check(proof, **options)
    assert info.value.check == name, str(info.value)
    return info.value


def test_a_valid_proof_passes_and_names_its_key() -> None:
    result = check(forge(KEY))
    assert result.jkt == KEY.thumbprint()
    assert result.key == KEY.public()
    assert result.claims == claims()
    assert result.header["typ"] == "dpop+jwt"


def test_a_proof_repr_names_its_claims_not_their_values() -> None:
    result = check(forge(KEY))
    for text in (repr(result), str(result)):
        assert result.claims["jti"] not in text
        assert "'jti'" in text
        assert result.jkt in text


def test_create_proof_round_trip_with_every_claim() -> None:
    proof = dpop.create_proof(
        KEY, "POST", URL + "?q=1#frag", access_token="tok", nonce="n-1", iat=NOW, jti="j"
    )
    result = check(proof, method="POST", access_token="tok", nonce="n-1")
    assert result.claims == {
        "jti": "j",
        "htm": "POST",
        "htu": URL,
        "iat": NOW,
        "ath": dpop.access_token_hash("tok"),
        "nonce": "n-1",
    }


def test_create_proof_header_carries_public_members_only() -> None:
    key = jwk.generate("EC", crv="P-256", kid="k1")
    header = json.loads(b64d(dpop.create_proof(key, "GET", URL).split(".")[0], "header"))
    assert set(header["jwk"]) == {"kty", "crv", "x", "y"}
    assert header["typ"] == "dpop+jwt"
    assert header["alg"] == "ES256"


def test_create_proof_jti_is_fresh_and_long() -> None:
    jtis = {check(dpop.create_proof(KEY, "GET", URL, iat=NOW)).claims["jti"] for _ in range(20)}
    assert len(jtis) == 20
    assert all(len(j) >= 22 for j in jtis)  # 128 random bits in base64url


@pytest.mark.parametrize(
    ("kty", "options", "alg"),
    [
        ("EC", {"crv": "P-384"}, "ES384"),
        ("OKP", {"crv": "Ed25519"}, "Ed25519"),
        ("RSA", {"size": 2048, "alg": "PS256"}, "PS256"),
    ],
)
def test_create_proof_alg_from_the_key(kty: str, options: dict[str, Any], alg: str) -> None:
    key = jwk.generate(kty, **options)
    assert check(dpop.create_proof(key, "GET", URL, iat=NOW), algorithms=[alg]).header["alg"] == alg


def test_create_proof_refuses_keys_that_cannot_sign_proofs() -> None:
    with pytest.raises(InvalidKeyError):
        dpop.create_proof(KEY.public(), "GET", URL)
    with pytest.raises(InvalidKeyError):
        dpop.create_proof(jwk.generate("oct", size=256), "GET", URL)
    with pytest.raises(JoseError, match="alg="):
        dpop.create_proof(jwk.generate("RSA", size=2048), "GET", URL)
    with pytest.raises(AlgorithmNotAllowedError):
        dpop.create_proof(KEY, "GET", URL, alg="HS256")
    with pytest.raises(JoseError, match="http"):
        dpop.create_proof(KEY, "GET", "ftp://files.example/")


# -- the header: typ, alg, jwk ---------------------------------------------------------------


@pytest.mark.parametrize("typ", ["JWT", "at+jwt", "DPoP+JWT", None])
def test_wrong_typ(typ: str | None) -> None:
    refused(forge(KEY, header={"typ": typ}), "typ")


def test_alg_none() -> None:
    proof = unsigned({"typ": "dpop+jwt", "alg": "none", "jwk": KEY.public().to_dict()}, claims())
    refused(proof, "alg")


def test_hs256_proof() -> None:
    secret = jwk.generate("oct", size=256)
    refused(forge(secret, "HS256", header={"jwk": KEY.public().to_dict()}), "alg")


def test_symmetric_algorithms_are_refused_in_the_allow_list() -> None:
    with pytest.raises(AlgorithmNotAllowedError, match="asymmetric"):
        check(forge(KEY), algorithms=["ES256", "HS256"])


def test_alg_not_allowed() -> None:
    refused(forge(KEY), "alg", algorithms=["EdDSA"])


def test_private_key_in_the_header_jwk() -> None:
    refused(forge(KEY, header={"jwk": KEY.to_dict(private=True)}), "jwk")


def test_oct_key_in_the_header_jwk() -> None:
    secret = jwk.generate("oct", size=256).to_dict(private=True)
    refused(forge(KEY, header={"jwk": secret}), "jwk")


def test_missing_jwk() -> None:
    refused(forge(KEY, header={"jwk": None}), "jwk")


def test_jwk_of_another_type_than_alg() -> None:
    refused(
        forge(KEY, header={"jwk": jwk.generate("OKP", crv="Ed25519").public().to_dict()}), "jwk"
    )


def test_rsa_header_key_under_2048_bits() -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    small = jwk.import_key(rsa.generate_private_key(65537, 1024)).public().to_dict()
    refused(forge(KEY, header={"jwk": small}), "jwk", algorithms=["ES256", "PS256"])


def test_jwk_that_does_not_verify() -> None:
    refused(forge(KEY, header={"jwk": OTHER.public().to_dict()}), "signature")


def test_a_known_header_with_a_bad_signature() -> None:
    """The header key is kept per header: a proof reusing a verified header is still checked."""
    proof = forge(KEY)
    check(proof)
    head, body, signature = proof.split(".")
    other = forge(OTHER).split(".")[2]
    refused(f"{head}.{body}.{other}", "signature")
    refused(f"{head}.{forge(KEY, htm='POST').split('.')[1]}.{signature}", "signature")


def test_not_a_jwt() -> None:
    for proof in ["", "a.b", "x.y.z", forge(KEY) + ".e30", "é.a.b"]:
        refused(proof, "proof")


def test_oversized_proof() -> None:
    refused(forge(KEY, pad="x" * 9000), "proof")


# -- the claims: htm, htu, iat, jti, ath ----------------------------------------------------


@pytest.mark.parametrize("htm", ["POST", "get", None])
def test_wrong_htm(htm: str | None) -> None:
    refused(forge(KEY, htm=htm), "htm")


@pytest.mark.parametrize(
    "htu",
    [
        "https://other.example.com/items",
        "https://api.example.com/other",
        "https://api.example.com:8443/items",
        "http://api.example.com/items",
        "https://api.example.com/items/",
        "https://api.example.com/Items",
        "https://user@api.example.com/items",
        "/items",
        None,
    ],
)
def test_htu_for_another_url(htu: str | None) -> None:
    refused(forge(KEY, htu=htu), "htu")


@pytest.mark.parametrize(
    "htu",
    [
        "https://api.example.com/items?page=2",
        "https://api.example.com/items#top",
        "HTTPS://API.Example.COM:443/items",
        "https://api.example.com/./x/../items",
        "https://api.example.com/%69tems",
    ],
)
def test_htu_equal_after_normalisation(htu: str) -> None:
    assert check(forge(KEY, htu=htu)).claims["htu"] == htu


def test_internationalised_host_compares_as_its_punycode() -> None:
    url = "https://xn--bcher-kva.example/items"
    assert check(forge(KEY, htu="https://BÜCHER.example/items"), url=url).claims["htu"]
    refused(forge(KEY, htu="https://bucher.example/items"), "htu", url=url)


def test_request_url_query_ignored() -> None:
    check(forge(KEY), url=URL + "?page=3")


def test_stale_iat() -> None:
    refused(forge(KEY, iat=NOW - 306), "iat")
    check(forge(KEY, iat=NOW - 305))


def test_future_iat() -> None:
    refused(forge(KEY, iat=NOW + 6), "iat")
    check(forge(KEY, iat=NOW + 5))


@pytest.mark.parametrize("iat", [float(NOW), True, str(NOW), None])
def test_iat_not_an_integer(iat: object) -> None:
    refused(forge(KEY, iat=iat), "iat")


def test_window_is_configurable() -> None:
    refused(forge(KEY, iat=NOW - 61), "iat", max_age=60, leeway=0)


@pytest.mark.parametrize("jti", [None, "", 7, "x" * 129])
def test_missing_or_bad_jti(jti: object) -> None:
    refused(forge(KEY, jti=jti), "jti")


def test_replayed_jti() -> None:
    cache = MemoryReplayCache(clock=lambda: NOW)
    proof = forge(KEY)
    check(proof, replay=cache)
    refused(proof, "jti", replay=cache)


def test_replay_is_recorded_only_after_every_check() -> None:
    cache = MemoryReplayCache(clock=lambda: NOW)
    proof = forge(KEY)
    refused(proof, "htm", method="POST", replay=cache)
    check(proof, replay=cache)


def test_same_jti_from_another_key_is_not_a_replay() -> None:
    cache = MemoryReplayCache(clock=lambda: NOW)
    check(forge(KEY), replay=cache)
    check(forge(OTHER), replay=cache)


def test_wrong_ath() -> None:
    refused(forge(KEY, ath=dpop.access_token_hash("another")), "ath", access_token="token")


def test_missing_ath() -> None:
    refused(forge(KEY), "ath", access_token="token")


# -- nonces -----------------------------------------------------------------------------------


def test_missing_nonce() -> None:
    with pytest.raises(DPoPNonceError):
        check(forge(KEY), nonce="expected")


def test_wrong_nonce() -> None:
    with pytest.raises(DPoPNonceError):
        check(forge(KEY, nonce="old"), nonce="expected")


def test_nonce_from_an_issuer() -> None:
    issuer = dpop.NonceIssuer(b"k" * 32, lifetime=120)
    check(forge(KEY, nonce=issuer.new(now=NOW - 100)), nonce=issuer)
    with pytest.raises(DPoPNonceError, match="stale"):
        check(forge(KEY, nonce=issuer.new(now=NOW - 121)), nonce=issuer)
    with pytest.raises(DPoPNonceError):
        check(forge(KEY), nonce=issuer)


# -- a proof is not an access token -----------------------------------------------------------


def test_a_proof_used_as_an_access_token_is_refused() -> None:
    proof = dpop.create_proof(KEY, "GET", URL, iat=NOW)
    with pytest.raises(InvalidHeaderError):
        jwt.decode(proof, KEY.public(), algorithms=["ES256"], typ="at+jwt", now=NOW)
    with pytest.raises(InvalidHeaderError):
        jwt.decode_access_token(
            proof, KEY.public(), algorithms=["ES256"], issuer="i", audience="a", now=NOW
        )


def test_an_access_token_used_as_a_proof_is_refused() -> None:
    token = jwt.encode(
        {"sub": "u"}, KEY, "ES256", header={"typ": "at+jwt", "jwk": KEY.public().to_dict()}
    )
    refused(token, "typ")


def test_caller_mistakes_are_not_proof_errors() -> None:
    with pytest.raises(JoseError, match="url"):
        check(forge(KEY), url="api.example.com/items")
    with pytest.raises(AlgorithmNotAllowedError):
        check(forge(KEY), algorithms=[])
    with pytest.raises(JoseError, match="nonce"):
        check(forge(KEY), nonce=42)


async def _verify_async(proof: str, cache: Any) -> dpop.DPoPProof:
    return await dpop.verify_proof_async(
        proof, method="GET", url=URL, algorithms=["ES256"], replay=cache, now=NOW
    )


def test_verify_proof_async_refuses_a_replay() -> None:
    import asyncio

    from josekit.replay import AsyncMemoryReplayCache

    cache = AsyncMemoryReplayCache(clock=lambda: NOW)
    proof = forge(KEY)
    assert asyncio.run(_verify_async(proof, cache)).jkt == KEY.thumbprint()
    with pytest.raises(DPoPError, match="already used"):
        asyncio.run(_verify_async(proof, cache))

"""JWS with ML-DSA-44/65/87 (RFC 9964 §5): round trips and every refusal."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from josekit import Key, KeySet, errors, jwk, jws
from josekit._b64 import b64d, b64e_str
from josekit.algorithms import SIGNATURE_ALGORITHMS

ALGS = ["ML-DSA-44", "ML-DSA-65", "ML-DSA-87"]
SIG_SIZES = {"ML-DSA-44": 2420, "ML-DSA-65": 3309, "ML-DSA-87": 4627}


@pytest.fixture(scope="module")
def keys() -> dict[str, Key]:
    return {alg: jwk.generate("AKP", alg=alg, kid=alg) for alg in ALGS}


def test_registry_rows() -> None:
    for alg in ALGS:
        row = SIGNATURE_ALGORITHMS.lookup(alg)
        assert (row.name, row.family, row.kty) == (alg, "ML-DSA", "AKP")


@pytest.mark.parametrize("alg", ALGS)
def test_compact_round_trip(alg: str, keys: dict[str, Key]) -> None:
    token = jws.sign(b"post-quantum", keys[alg], alg)
    signature = token.split(".")[2]
    assert len(b64d(signature)) == SIG_SIZES[alg]
    result = jws.verify(token, keys[alg].public(), algorithms=[alg])
    assert result.payload == b"post-quantum"
    assert result.protected_header == {"alg": alg, "kid": alg}


@pytest.mark.parametrize("alg", ALGS)
def test_json_round_trip_mixed_with_es256(alg: str, keys: dict[str, Key]) -> None:
    ec = jwk.generate("EC", crv="P-256", kid="ec")
    document = jws.sign_json(b"both", [jws.Signer(keys[alg], alg), jws.Signer(ec, "ES256")])
    result = jws.verify_json(document, keys[alg].public(), algorithms=[alg])
    assert result.payload == b"both"


def test_verify_through_a_key_set(keys: dict[str, Key]) -> None:
    key_set = KeySet(k.public() for k in keys.values())
    for alg in ALGS:
        token = jws.sign(b"x", keys[alg], alg)
        assert jws.verify(token, key_set, algorithms=ALGS).key == keys[alg].public()


@pytest.mark.parametrize(
    ("key_alg", "alg"), [("ML-DSA-44", "ML-DSA-65"), ("ML-DSA-87", "ML-DSA-44")]
)
def test_key_of_another_parameter_set_cannot_sign(
    key_alg: str, alg: str, keys: dict[str, Key]
) -> None:
    with pytest.raises(errors.InvalidKeyError):
        jws.sign(b"x", keys[key_alg], alg)


def test_header_alg_swapped_to_another_parameter_set_is_refused(keys: dict[str, Key]) -> None:
    token = jws.sign(b"x", keys["ML-DSA-44"], "ML-DSA-44")
    _, payload, signature = token.split(".")
    forged = b64e_str(b'{"alg":"ML-DSA-65","kid":"ML-DSA-44"}') + f".{payload}.{signature}"
    with pytest.raises(errors.JoseError):
        jws.verify(forged, keys["ML-DSA-44"].public(), algorithms=ALGS)


def test_algorithm_must_be_allowed(keys: dict[str, Key]) -> None:
    token = jws.sign(b"x", keys["ML-DSA-65"], "ML-DSA-65")
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jws.verify(token, keys["ML-DSA-65"].public(), algorithms=["ML-DSA-44", "ES256"])


def test_public_key_cannot_sign(keys: dict[str, Key]) -> None:
    with pytest.raises(errors.InvalidKeyError, match="private"):
        jws.sign(b"x", keys["ML-DSA-44"].public(), "ML-DSA-44")


@pytest.mark.parametrize(
    "other",
    [
        lambda: jwk.generate("EC", crv="P-256"),
        lambda: jwk.generate("OKP", crv="Ed25519"),
        lambda: jwk.generate("oct", size=256),
    ],
)
def test_wrong_key_types_are_refused_both_ways(other: object, keys: dict[str, Key]) -> None:
    key = other()  # type: ignore[operator]
    with pytest.raises(errors.InvalidKeyError):
        jws.sign(b"x", key, "ML-DSA-44")
    token = jws.sign(b"x", keys["ML-DSA-44"], "ML-DSA-44")
    verifier = key if key.is_symmetric else key.public()
    with pytest.raises(errors.InvalidKeyError):
        jws.verify(token, verifier, algorithms=["ML-DSA-44"])
    # An AKP key never does HS256/ES256/EdDSA.
    hs_alg = {"oct": "HS256", "EC": "ES256", "OKP": "EdDSA"}[key.kty]
    with pytest.raises(errors.InvalidKeyError):
        jws.sign(b"x", keys["ML-DSA-44"], hs_alg)


def test_akp_public_key_bytes_are_never_an_hmac_secret(keys: dict[str, Key]) -> None:
    # Algorithm confusion: HS256 over the AKP public key must not verify against it.
    import hashlib
    import hmac as std_hmac

    public = keys["ML-DSA-44"].public()
    secret = public.to_json().encode()
    header = b64e_str(b'{"alg":"HS256"}')
    payload = b64e_str(b"x")
    mac = std_hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    with pytest.raises(errors.JoseError):
        jws.verify(f"{header}.{payload}.{b64e_str(mac)}", public, algorithms=["HS256", "ML-DSA-44"])


@pytest.mark.parametrize("alg", ALGS)
@pytest.mark.parametrize("change", ["short", "long", "empty"])
def test_signature_of_the_wrong_length_is_refused(
    alg: str, change: str, keys: dict[str, Key]
) -> None:
    token = jws.sign(b"x", keys[alg], alg)
    header, payload, signature = token.split(".")
    raw = b64d(signature)
    wrong = {"short": raw[:-1], "long": raw + b"\x00", "empty": b""}[change]
    with pytest.raises(errors.InvalidSignatureError):
        jws.verify(f"{header}.{payload}.{b64e_str(wrong)}", keys[alg].public(), algorithms=[alg])


def test_signature_by_another_key_of_the_same_set_is_refused(keys: dict[str, Key]) -> None:
    other = jwk.generate("AKP", alg="ML-DSA-44", kid="ML-DSA-44")
    token = jws.sign(b"x", other, "ML-DSA-44")
    with pytest.raises(errors.InvalidSignatureError):
        jws.verify(token, keys["ML-DSA-44"].public(), algorithms=["ML-DSA-44"])


def test_use_enc_key_cannot_sign() -> None:
    key = jwk.generate("AKP", alg="ML-DSA-44", use="enc")
    with pytest.raises(errors.InvalidKeyError, match="use"):
        jws.sign(b"x", key, "ML-DSA-44")


def test_signature_is_over_the_signing_input_with_empty_context(keys: dict[str, Key]) -> None:
    # RFC 9964 §5: pure ML-DSA with ctx = "" over the JWS Signing Input.
    token = jws.sign(b"ctx", keys["ML-DSA-65"], "ML-DSA-65")
    header, payload, signature = token.split(".")
    public = keys["ML-DSA-65"].public_crypto_key
    public.verify(b64d(signature), f"{header}.{payload}".encode())
    public.verify(b64d(signature), f"{header}.{payload}".encode(), b"")


@settings(max_examples=25, deadline=None)
@given(payload=st.binary(max_size=512))
def test_any_payload_round_trips(payload: bytes) -> None:
    key = _HYPOTHESIS_KEY
    token = jws.sign(payload, key, "ML-DSA-44")
    assert jws.verify(token, key.public(), algorithms=["ML-DSA-44"]).payload == payload


_HYPOTHESIS_KEY = jwk.generate("AKP", alg="ML-DSA-44")

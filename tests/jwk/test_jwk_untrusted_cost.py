"""Issue #19 point 1: a header or fetched JWK never costs a private key's import.

A private (or secret, or unpinned) key in a place an attacker writes is refused from its
members alone; importing a private RSA key is bounded in size, so its checks stay finite.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest

from josekit import dpop, errors, jwk, jws
from josekit._b64 import b64e_str
from josekit.jwk import EmbeddedJWK, Key, _public


def b64_int(value: int) -> str:
    return b64e_str(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def hostile_rsa(bits: int, **members: int) -> dict[str, str]:
    """An RSA private JWK with a random odd modulus of ``bits`` bits and a random ``d``."""
    n = secrets.randbits(bits) | (1 << (bits - 1)) | 1
    out = {"kty": "RSA", "n": b64_int(n), "e": "AQAB", "d": b64_int(secrets.randbits(bits - 1))}
    out.update({name: b64_int(value) for name, value in members.items()})
    return out


@pytest.fixture
def no_import(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails the test if the resolver imports the header key at all."""

    def refuse(*args: Any, **kwargs: Any) -> Key:
        raise AssertionError("the header 'jwk' was imported")

    monkeypatch.setattr(Key, "import_key", refuse)


@pytest.fixture(scope="module")
def signer() -> Key:
    return jwk.generate("EC", crv="P-256")


def test_private_header_key_is_refused_before_import(no_import: None, signer: Key) -> None:
    resolver = EmbeddedJWK(thumbprints=[signer.thumbprint()])
    with pytest.raises(errors.InvalidKeyError, match="private key members"):
        resolver.candidates({"jwk": hostile_rsa(16384)}, "verify")


def test_private_header_key_refused_even_when_pinned(no_import: None) -> None:
    header_jwk = hostile_rsa(16384)
    pinned = _public.thumbprint_of(
        {m: header_jwk[m] for m in ("e", "kty", "n")}, "SHA-256"
    )  # the thumbprint of its public members: pinning never lets a private key in
    with pytest.raises(errors.InvalidKeyError, match="private key members"):
        EmbeddedJWK(thumbprints=[pinned]).candidates({"jwk": header_jwk}, "verify")


def test_secret_header_key_is_refused_before_import(no_import: None, signer: Key) -> None:
    resolver = EmbeddedJWK(thumbprints=[signer.thumbprint()])
    with pytest.raises(errors.InvalidKeyError, match="secret 'oct'"):
        resolver.candidates({"jwk": {"kty": "oct", "k": "AAAA"}}, "verify")


def test_unpinned_header_key_is_not_imported(no_import: None, signer: Key) -> None:
    stranger = jwk.generate("EC", crv="P-256").public().to_dict()
    resolver = EmbeddedJWK(thumbprints=[signer.thumbprint()])
    with pytest.raises(errors.KeyNotFoundError, match="not one of the pinned"):
        resolver.candidates({"jwk": stranger}, "verify")


def test_non_canonical_header_key_is_not_pinned(signer: Key) -> None:
    rsa_key = Key.import_key(jwk.generate("RSA").public().to_dict())
    padded = {**rsa_key.to_dict(), "e": b64e_str(b"\x00\x01\x00\x01")}
    resolver = EmbeddedJWK(thumbprints=[_public.public_thumbprint(padded, "jwk")])
    with pytest.raises(errors.KeyNotFoundError, match="non-canonically"):
        resolver.candidates({"jwk": padded}, "verify")


def test_json_serialization_refuses_each_private_header_key(no_import: None, signer: Key) -> None:
    signers = [jws.Signer(signer, "ES256", protected={"jwk": hostile_rsa(16384)})] * 3
    token = jws.sign_json(b"x", signers)
    resolver = EmbeddedJWK(thumbprints=[signer.thumbprint()])
    with pytest.raises(errors.JoseError):
        jws.verify_json(token, resolver, algorithms=["ES256"])


def test_dpop_proof_private_header_key_is_refused_before_import(
    monkeypatch: pytest.MonkeyPatch, signer: Key
) -> None:
    from josekit.dpop import _proof

    imported: list[object] = []
    monkeypatch.setattr(Key, "import_key", lambda *a, **k: imported.append(a))
    header = {"typ": "dpop+jwt", "alg": "RS256", "jwk": hostile_rsa(16384)}
    with pytest.raises(errors.DPoPError, match="private key members"):
        _proof._header_key(b64e_str(json.dumps(header).encode()), header, ["RS256"])
    assert imported == []
    assert dpop  # the public package imports


def test_private_rsa_jwk_size_is_bounded() -> None:
    # Refused on size before any arithmetic: the CRT members need not even be consistent.
    crt = {name: 3 for name in ("p", "q", "dp", "dq", "qi")}
    with pytest.raises(errors.InvalidKeyError, match="at most 8192"):
        Key.import_key(hostile_rsa(8200, **crt))


def test_private_rsa_jwk_without_crt_members_is_bounded() -> None:
    # Without p and q, the factors are recovered with pure-Python arithmetic: 4096 bits at most.
    with pytest.raises(errors.InvalidKeyError, match="at most 4096"):
        Key.import_key(hostile_rsa(8192))


def test_rsa_generation_is_bounded_like_import() -> None:
    with pytest.raises(errors.InvalidKeyError, match="at most 8192, a multiple of 8"):
        jwk.generate("RSA", size=8200)

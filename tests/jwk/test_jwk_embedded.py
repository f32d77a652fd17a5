"""The opt-in EmbeddedJWK resolver (SECURITY-NOTES row 3): header keys pinned by thumbprint."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from josekit import errors, jwk, jws
from josekit.jwk import EmbeddedJWK, Key, KeyResolver
from josekit.jwk._public import public_thumbprint

WYCHEPROOF = Path(__file__).resolve().parent.parent / "vectors" / "jwk" / "wycheproof"


@pytest.fixture(scope="module")
def signer() -> Key:
    return jwk.generate("EC", crv="P-256", kid="client")


def embed(signer: Key, alg: str = "ES256", extra: dict[str, Any] | None = None) -> str:
    header = {"jwk": {**signer.public().to_dict(), **(extra or {})}}
    return jws.sign(b"hello", signer, alg, header=header)


def test_exported_from_josekit_jwk() -> None:
    assert "EmbeddedJWK" in jwk.__all__
    assert isinstance(EmbeddedJWK(thumbprints=["A" * 43]), KeyResolver)


def test_pinned_header_key_verifies(signer: Key) -> None:
    resolver = EmbeddedJWK(thumbprints=[signer.thumbprint()])
    result = jws.verify(embed(signer), resolver, algorithms=["ES256"])
    assert result.payload == b"hello"
    assert result.key == signer.public()


@pytest.mark.parametrize(
    ("kty", "kw", "alg"),
    [
        ("OKP", {"crv": "Ed25519"}, "Ed25519"),
        ("RSA", {}, "PS256"),
        ("EC", {"crv": "P-384"}, "ES384"),
    ],
)
def test_pinned_header_key_of_each_type(kty: str, kw: dict[str, Any], alg: str) -> None:
    key = jwk.generate(kty, **kw)
    resolver = EmbeddedJWK(thumbprints=["A" * 43, key.thumbprint()])
    assert jws.verify(embed(key, alg=alg), resolver, algorithms=[alg]).payload == b"hello"


def test_header_key_that_is_not_pinned_is_refused(signer: Key) -> None:
    other = jwk.generate("EC", crv="P-256")
    resolver = EmbeddedJWK(thumbprints=[other.thumbprint()])
    with pytest.raises(errors.KeyNotFoundError, match="not one of the pinned"):
        jws.verify(embed(signer), resolver, algorithms=["ES256"])


def test_no_header_key(signer: Key) -> None:
    token = jws.sign(b"x", signer, "ES256")
    with pytest.raises(errors.KeyNotFoundError, match="no 'jwk'"):
        jws.verify(token, EmbeddedJWK(thumbprints=[signer.thumbprint()]), algorithms=["ES256"])


def test_private_header_key_is_refused(signer: Key) -> None:
    token = jws.sign(b"x", signer, "ES256", header={"jwk": signer.to_dict(private=True)})
    resolver = EmbeddedJWK(thumbprints=[signer.thumbprint()])
    with pytest.raises(errors.InvalidKeyError, match="private key members"):
        jws.verify(token, resolver, algorithms=["ES256"])


def test_symmetric_header_key_is_refused() -> None:
    secret = jwk.generate("oct", size=256)
    token = jws.sign(b"x", secret, "HS256", header={"jwk": secret.to_dict(private=True)})
    resolver = EmbeddedJWK(thumbprints=[secret.thumbprint()])
    with pytest.raises(errors.InvalidKeyError, match="'oct'"):
        jws.verify(token, resolver, algorithms=["HS256"])


@pytest.mark.parametrize("value", ["not a key", ["kty", "EC"], 7, None])
def test_header_jwk_that_is_not_an_object(signer: Key, value: object) -> None:
    resolver = EmbeddedJWK(thumbprints=[signer.thumbprint()])
    with pytest.raises(errors.InvalidKeyError, match="JSON object"):
        resolver.candidates({"alg": "ES256", "jwk": value}, "verify")


def test_invalid_header_jwk_is_refused(signer: Key) -> None:
    bad = {**signer.public().to_dict(), "y": signer.public().to_dict()["x"]}
    # Pinned (by the thumbprint of its members), so it is imported and its point checked.
    resolver = EmbeddedJWK(thumbprints=[public_thumbprint(bad, "jwk")])
    with pytest.raises(errors.InvalidKeyError, match="not on curve"):
        resolver.candidates({"alg": "ES256", "jwk": bad}, "verify")


def test_header_key_usage_is_still_enforced(signer: Key) -> None:
    resolver = EmbeddedJWK(thumbprints=[signer.thumbprint()])
    for extra in ({"use": "enc"}, {"alg": "X-UNKNOWN"}, {"key_ops": ["encrypt"]}):
        with pytest.raises(errors.KeyNotFoundError):
            jws.verify(embed(signer, extra=extra), resolver, algorithms=["ES256"])
    # An alg that does not fit the key at all (P-256 with ES384) is refused on import.
    with pytest.raises(errors.InvalidKeyError, match="does not fit"):
        jws.verify(embed(signer, extra={"alg": "ES384"}), resolver, algorithms=["ES256"])


def test_only_for_verification(signer: Key) -> None:
    resolver = EmbeddedJWK(thumbprints=[signer.thumbprint()])
    header = {"alg": "ES256", "jwk": signer.public().to_dict()}
    assert resolver.candidates(header, "verify") == (signer.public(),)
    for operation in ("decrypt", "unwrapKey", "sign"):
        with pytest.raises(errors.KeyNotFoundError, match="only supplies keys to verify"):
            resolver.candidates(header, operation)


@pytest.mark.parametrize(
    ("thumbprints", "fragment"),
    [
        ([], "at least one"),
        ((), "at least one"),
        ("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", "not one string"),
        (["too-short"], "not an RFC 7638 SHA-256 thumbprint"),
        (["A" * 42 + "="], "not an RFC 7638 SHA-256 thumbprint"),
        (["A" * 64], "not an RFC 7638 SHA-256 thumbprint"),
        ([b"A" * 43], "not an RFC 7638 SHA-256 thumbprint"),
        ([None], "not an RFC 7638 SHA-256 thumbprint"),
    ],
)
def test_thumbprints_are_required_and_checked(thumbprints: Any, fragment: str) -> None:
    with pytest.raises(errors.InvalidKeyError, match=fragment):
        EmbeddedJWK(thumbprints=thumbprints)


def test_thumbprints_must_be_named() -> None:
    with pytest.raises(TypeError):
        EmbeddedJWK(["A" * 43])  # type: ignore[call-arg]


def test_immutable_and_printable() -> None:
    resolver = EmbeddedJWK(thumbprints={"A" * 43})
    assert resolver.thumbprints == frozenset({"A" * 43})
    assert "A" * 43 in repr(resolver)
    with pytest.raises(AttributeError):
        resolver._thumbprints = frozenset()


# -- Wycheproof es256 rejectsAttackerProvidedEmbeddedJwk ------------------------------


def attacker_vector() -> tuple[Key, str, dict[str, Any]]:
    data = json.loads((WYCHEPROOF / "json_web_signature_test.json").read_text(encoding="utf-8"))
    for group in data["testGroups"]:
        for test in group["tests"]:
            if test["comment"] == "rejectsAttackerProvidedEmbeddedJwk":
                segment = test["jws"].split(".")[0]
                header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
                return Key.import_key(group["public"]), test["jws"], header
    raise AssertionError("vector not found")


def test_wycheproof_attacker_jwk_is_not_trusted_by_default() -> None:
    legitimate, token, header = attacker_vector()
    # The token really is signed by the key in its header...
    attacker = Key.import_key(header["jwk"])
    assert attacker.kid == legitimate.kid
    assert attacker != legitimate
    assert jws.verify(token, attacker, algorithms=["ES256"]).payload == b"foo"
    # ...so only the caller's own key decides: a plain verify fails.
    with pytest.raises(errors.InvalidSignatureError):
        jws.verify(token, legitimate, algorithms=["ES256"])
    # An EmbeddedJWK pinned to the legitimate key refuses the attacker's header key.
    with pytest.raises(errors.KeyNotFoundError, match="not one of the pinned"):
        jws.verify(token, EmbeddedJWK(thumbprints=[legitimate.thumbprint()]), algorithms=["ES256"])

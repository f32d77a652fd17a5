"""Encrypted and nested JWTs: round trips, the token-kind checks, cty, ordering of errors."""

from __future__ import annotations

from typing import Any

import pytest
from jwt_helpers import NOW, hmac_key, rsa_key, signed, signing_key, tamper_part

from josekit import KeySet, Limits, jwk, jws, jwt
from josekit.errors import (
    AlgorithmNotAllowedError,
    DecryptionError,
    ExpiredTokenError,
    InvalidHeaderError,
    InvalidKeyError,
    InvalidSignatureError,
    LimitExceededError,
    MalformedError,
    MissingClaimError,
)

jwe = pytest.importorskip("josekit.jwe")

CLAIMS = {"iss": "https://issuer.example", "sub": "user-1", "exp": NOW + 600}


@pytest.fixture(scope="module")
def recipient() -> jwk.Key:
    """The recipient's ECDH key."""
    return jwk.generate("EC", crv="P-256", kid="enc-1")


def encrypted(recipient: jwk.Key, claims: dict[str, Any] | None = None, **kw: Any) -> str:
    return jwt.encode_encrypted(
        claims if claims is not None else CLAIMS,
        recipient.public(),
        "ECDH-ES+A256KW",
        "A256GCM",
        **kw,
    )


def nested(recipient: jwk.Key, claims: dict[str, Any] | None = None, **kw: Any) -> str:
    return jwt.encode_nested(
        claims if claims is not None else CLAIMS,
        signing_key("ES256"),
        "ES256",
        recipient.public(),
        "ECDH-ES+A256KW",
        "A256GCM",
        **kw,
    )


def decode_nested(token: str, recipient: jwk.Key, **kw: Any) -> jwt.NestedToken:
    kw.setdefault("now", NOW)
    return jwt.decode_nested(
        token,
        recipient,
        signing_key("ES256").public(),
        algorithms=["ECDH-ES+A256KW"],
        signing_algorithms=["ES256"],
        **kw,
    )


# -- encrypted ---------------------------------------------------------------------------------


def test_encrypted_roundtrip(recipient: jwk.Key) -> None:
    token = encrypted(recipient)
    assert token.count(".") == 4
    result = jwt.decode_encrypted(
        token, recipient, algorithms=["ECDH-ES+A256KW"], encryptions=["A256GCM"], now=NOW
    )
    assert result.claims == CLAIMS
    assert result.header["typ"] == "JWT"
    assert result.header["kid"] == "enc-1"
    assert result.key == recipient


def test_encrypted_header_typ_override_and_check(recipient: jwk.Key) -> None:
    token = encrypted(recipient, header={"typ": "secevent+jwt"})
    jwt.decode_encrypted(
        token, recipient, algorithms=["ECDH-ES+A256KW"], typ="application/secevent+jwt", now=NOW
    )
    with pytest.raises(InvalidHeaderError, match="typ"):
        jwt.decode_encrypted(token, recipient, algorithms=["ECDH-ES+A256KW"], typ="JWT", now=NOW)


def test_encrypted_claims_validated_after_decryption(recipient: jwk.Key) -> None:
    token = encrypted(recipient, {"exp": NOW})
    with pytest.raises(ExpiredTokenError):
        jwt.decode_encrypted(token, recipient, algorithms=["ECDH-ES+A256KW"], now=NOW)
    with pytest.raises(DecryptionError):
        jwt.decode_encrypted(
            tamper_part(token, 3), recipient, algorithms=["ECDH-ES+A256KW"], now=NOW
        )


@pytest.mark.parametrize("part", [1, 2, 3, 4])
def test_encrypted_tampering(recipient: jwk.Key, part: int) -> None:
    token = encrypted(recipient)
    with pytest.raises((DecryptionError, MalformedError)):
        jwt.decode_encrypted(tamper_part(token, part), recipient, algorithms=["ECDH-ES+A256KW"])


def test_encrypted_with_keyset_and_wrong_key(recipient: jwk.Key) -> None:
    token = encrypted(recipient)
    keys = KeySet([recipient, jwk.generate("EC", crv="P-256", kid="enc-2")])
    assert (
        jwt.decode_encrypted(token, keys, algorithms=["ECDH-ES+A256KW"], now=NOW).key == recipient
    )
    other = jwk.generate("EC", crv="P-256")
    with pytest.raises(DecryptionError):
        jwt.decode_encrypted(token, other, algorithms=["ECDH-ES+A256KW"], now=NOW)


def test_encrypted_alg_and_enc_allow_lists(recipient: jwk.Key) -> None:
    token = encrypted(recipient)
    with pytest.raises(AlgorithmNotAllowedError):
        jwt.decode_encrypted(token, recipient, algorithms=["ECDH-ES"], now=NOW)
    with pytest.raises(AlgorithmNotAllowedError):
        jwt.decode_encrypted(
            token, recipient, algorithms=["ECDH-ES+A256KW"], encryptions=["A128GCM"], now=NOW
        )
    with pytest.raises(AlgorithmNotAllowedError):
        jwt.decode_encrypted(token, recipient, algorithms=[], now=NOW)


def test_encrypted_with_a_password_needs_pbes2_listed() -> None:
    token = jwt.encode_encrypted(
        CLAIMS, "correct horse battery staple", "PBES2-HS256+A128KW", "A128GCM"
    )
    result = jwt.decode_encrypted(
        token, "correct horse battery staple", algorithms=["PBES2-HS256+A128KW"], now=NOW
    )
    assert result.claims == CLAIMS
    with pytest.raises(AlgorithmNotAllowedError):
        jwt.decode_encrypted(token, "correct horse battery staple", algorithms=["A128KW"])


def test_encrypted_refuses_bad_claims_and_headers(recipient: jwk.Key) -> None:
    with pytest.raises(InvalidHeaderError, match="encode_nested"):
        encrypted(recipient, header={"cty": "JWT"})
    with pytest.raises(MalformedError):
        jwt.encode_encrypted([1], recipient.public(), "ECDH-ES", "A128GCM")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "plaintext", [b"[]", b"not json", b'{"a":1,"a":2}', b"\xff", b"eyJhbGciOiJIUzI1NiJ9.e30.AA"]
)
def test_encrypted_plaintext_must_be_a_claims_object(recipient: jwk.Key, plaintext: bytes) -> None:
    token = jwe.encrypt(plaintext, recipient.public(), "ECDH-ES+A256KW", "A256GCM")
    with pytest.raises(MalformedError):
        jwt.decode_encrypted(token, recipient, algorithms=["ECDH-ES+A256KW"])


# -- the kind of token is declared, never guessed ------------------------------------------------


def test_jws_given_to_decode_encrypted(recipient: jwk.Key) -> None:
    token = jwt.encode(CLAIMS, hmac_key(), "HS256")
    with pytest.raises(MalformedError, match=r"jwt\.decode\(\)"):
        jwt.decode_encrypted(token, recipient, algorithms=["ECDH-ES+A256KW"])
    with pytest.raises(MalformedError, match=r"jwt\.decode\(\)"):
        decode_nested(token, recipient)


def test_jwe_given_to_decode(recipient: jwk.Key) -> None:
    for token in (encrypted(recipient), nested(recipient)):
        with pytest.raises(MalformedError, match=r"decode_encrypted\(\)"):
            jwt.decode(token, signing_key("ES256").public(), algorithms=["ES256"])


def test_jwe_encrypted_with_an_rsa_public_key_is_not_a_signature() -> None:
    """The substitution attack: a JWE made with the verifier's public key is refused."""
    public = rsa_key().public()
    forged = jwt.encode_encrypted({"sub": "admin"}, public, "RSA-OAEP-256", "A256GCM")
    with pytest.raises(MalformedError):
        jwt.decode(forged, public, algorithms=["RS256", "PS256"])


def test_encrypted_given_to_decode_nested(recipient: jwk.Key) -> None:
    with pytest.raises(InvalidHeaderError, match="decode_encrypted"):
        decode_nested(encrypted(recipient), recipient)


def test_nested_given_to_decode_encrypted(recipient: jwk.Key) -> None:
    with pytest.raises(MalformedError, match="decode_nested"):
        jwt.decode_encrypted(nested(recipient), recipient, algorithms=["ECDH-ES+A256KW"])


@pytest.mark.parametrize("token", ["a.b.c.d", "{}", "a.b.c.d.e.f", ""])
def test_decode_encrypted_part_count(recipient: jwk.Key, token: str) -> None:
    with pytest.raises(MalformedError):
        jwt.decode_encrypted(token, recipient, algorithms=["ECDH-ES+A256KW"])


# -- nested ------------------------------------------------------------------------------------


def test_nested_roundtrip(recipient: jwk.Key) -> None:
    token = nested(recipient, header={"typ": "at+jwt"}, encryption_header={"x-outer": "1"})
    result = decode_nested(token, recipient, typ="at+jwt", issuer="https://issuer.example")
    assert isinstance(result, jwt.NestedToken)
    assert result.claims == CLAIMS
    assert result.header == {"alg": "ES256", "typ": "at+jwt"}
    assert result.key == signing_key("ES256").public()
    assert result.encryption_header["cty"] == "JWT"
    assert result.encryption_header["x-outer"] == "1"
    assert "typ" not in result.encryption_header
    assert result.decryption_key == recipient


def test_nested_inner_typ_is_what_typ_checks(recipient: jwk.Key) -> None:
    token = nested(recipient)
    decode_nested(token, recipient, typ="JWT")
    with pytest.raises(InvalidHeaderError, match="typ"):
        decode_nested(token, recipient, typ="at+jwt")


@pytest.mark.parametrize("cty", ["JWT", "jwt", "Jwt", "application/jwt", "APPLICATION/JWT"])
def test_nested_cty_is_case_insensitive(recipient: jwk.Key, cty: str) -> None:
    inner = jwt.encode(CLAIMS, signing_key("ES256"), "ES256")
    token = jwe.encrypt(inner, recipient.public(), "ECDH-ES+A256KW", "A256GCM", header={"cty": cty})
    assert decode_nested(token, recipient).claims == CLAIMS


@pytest.mark.parametrize("cty", [None, "json", "application/jwt/x", "JWS", 1])
def test_nested_needs_cty_jwt(recipient: jwk.Key, cty: object) -> None:
    inner = jwt.encode(CLAIMS, signing_key("ES256"), "ES256")
    header = {} if cty is None else {"cty": cty}
    token = jwe.encrypt(inner, recipient.public(), "ECDH-ES+A256KW", "A256GCM", header=header)
    with pytest.raises(InvalidHeaderError, match="cty"):
        decode_nested(token, recipient)


def test_encode_nested_refuses_other_cty(recipient: jwk.Key) -> None:
    with pytest.raises(InvalidHeaderError, match="cty"):
        nested(recipient, encryption_header={"cty": "json"})
    nested(recipient, encryption_header={"cty": "jwt"})


@pytest.mark.parametrize(
    "content",
    [
        b"{}",
        b"\xff\xfe",
        b"a.b.c.d.e",
        b"not a token",
    ],
)
def test_nested_content_must_be_a_jws(recipient: jwk.Key, content: bytes) -> None:
    token = jwe.encrypt(
        content, recipient.public(), "ECDH-ES+A256KW", "A256GCM", header={"cty": "JWT"}
    )
    with pytest.raises(MalformedError):
        decode_nested(token, recipient)


def test_nested_jwe_in_jwe_is_refused(recipient: jwk.Key) -> None:
    inner = encrypted(recipient)
    token = jwe.encrypt(
        inner, recipient.public(), "ECDH-ES+A256KW", "A256GCM", header={"cty": "JWT"}
    )
    with pytest.raises(MalformedError, match="sign, then encrypt"):
        decode_nested(token, recipient)


def test_nested_unsecured_inner_is_refused(recipient: jwk.Key) -> None:
    inner = jwt.encode_unsecured(CLAIMS)
    token = jwe.encrypt(
        inner, recipient.public(), "ECDH-ES+A256KW", "A256GCM", header={"cty": "JWT"}
    )
    with pytest.raises(AlgorithmNotAllowedError):
        decode_nested(token, recipient)


def test_nested_inner_signature_and_keys(recipient: jwk.Key) -> None:
    forged_inner = jwt.encode(CLAIMS, jwk.generate("EC", crv="P-256"), "ES256")
    token = jwe.encrypt(
        forged_inner, recipient.public(), "ECDH-ES+A256KW", "A256GCM", header={"cty": "JWT"}
    )
    with pytest.raises(InvalidSignatureError):
        decode_nested(token, recipient)
    with pytest.raises(InvalidKeyError):
        jwt.decode_nested(
            nested(recipient),
            recipient,
            hmac_key(),
            algorithms=["ECDH-ES+A256KW"],
            signing_algorithms=["ES256"],
            now=NOW,
        )


def test_nested_signing_algorithms_required_before_decryption(recipient: jwk.Key) -> None:
    with pytest.raises(AlgorithmNotAllowedError, match="signing_algorithms"):
        jwt.decode_nested(
            "not even a token",
            recipient,
            signing_key("ES256").public(),
            algorithms=["ECDH-ES+A256KW"],
            signing_algorithms=[],
        )


def test_nested_errors_come_in_order(recipient: jwk.Key) -> None:
    """Decryption, then the inner signature, then the claims."""
    expired = nested(recipient, {"exp": NOW})
    with pytest.raises(DecryptionError):
        decode_nested(tamper_part(expired, 3), recipient)
    with pytest.raises(ExpiredTokenError):
        decode_nested(expired, recipient)
    with pytest.raises(MissingClaimError):
        decode_nested(nested(recipient), recipient, required=["jti"])


def test_nested_inner_hs256_inside_rsa_oaep() -> None:
    token = jwt.encode_nested(
        CLAIMS, hmac_key(), "HS256", rsa_key().public(), "RSA-OAEP-256", "A128CBC-HS256"
    )
    result = jwt.decode_nested(
        token,
        rsa_key(),
        hmac_key(),
        algorithms=["RSA-OAEP-256"],
        encryptions=["A128CBC-HS256"],
        signing_algorithms=["HS256"],
        now=NOW,
    )
    assert result.claims == CLAIMS


def test_signed_payload_is_not_reinterpreted(recipient: jwk.Key) -> None:
    """A JWS whose payload is a JWE is never decrypted by decode()."""
    inner = encrypted(recipient)
    token = signed(inner.encode(), header={"cty": "JWT"})
    with pytest.raises(MalformedError):
        jwt.decode(token, hmac_key(), algorithms=["HS256"])
    plain = jws.sign(inner.encode(), hmac_key(), "HS256")
    with pytest.raises(MalformedError):
        jwt.decode(plain, hmac_key(), algorithms=["HS256"])


def test_compressed_claims_are_bounded(recipient: jwk.Key) -> None:
    """A ``zip: DEF`` JWE is inflated only up to the limit, before any claim is read."""
    import json

    claims = {"blob": "a" * 50_000, "exp": NOW + 10}
    token = jwe.encrypt(
        json.dumps(claims), recipient.public(), "ECDH-ES+A256KW", "A256GCM", zip="DEF"
    )
    assert len(token) < 2_000
    result = jwt.decode_encrypted(token, recipient, algorithms=["ECDH-ES+A256KW"], now=NOW)
    assert result.claims == claims
    with pytest.raises((LimitExceededError, DecryptionError)):
        jwt.decode_encrypted(
            token,
            recipient,
            algorithms=["ECDH-ES+A256KW"],
            now=NOW,
            limits=Limits(max_inflated_size=10_000),
        )

"""Result reprs show headers, keys, claim names and sizes: never values or plaintext."""

from __future__ import annotations

from josekit import jwe, jwk, jws, jwt

SIG = jwk.generate("EC", crv="P-256", kid="sig-1")
ENC = jwk.generate("EC", crv="P-256", kid="enc-1")
SECRET_CLAIM = "s3cr3t-value-4711"
CLAIMS = {"iss": "https://issuer.example", "email": SECRET_CLAIM}
NOW = 1_800_000_000


def _views(obj: object) -> list[str]:
    return [repr(obj), str(obj), f"{obj}", f"{obj!r}"]


def test_token_shows_header_key_and_claim_names_only() -> None:
    token = jwt.decode(jwt.encode(CLAIMS, SIG, "ES256"), SIG.public(), algorithms=["ES256"])
    for text in _views(token):
        assert SECRET_CLAIM not in text
        assert "issuer.example" not in text
        assert "'email'" in text
        assert "'iss'" in text
        assert "'alg': 'ES256'" in text
        assert "kid='sig-1'" in text
    assert token.claims["email"] == SECRET_CLAIM  # the values stay on the attributes


def test_nested_token_redacted() -> None:
    nested = jwt.encode_nested(CLAIMS, SIG, "ES256", ENC.public(), "ECDH-ES+A256KW", "A256GCM")
    token = jwt.decode_nested(
        nested, ENC, SIG.public(), algorithms=["ECDH-ES+A256KW"], signing_algorithms=["ES256"]
    )
    assert isinstance(token, jwt.NestedToken)
    for text in _views(token):
        assert SECRET_CLAIM not in text
        assert "kid='enc-1'" in text
        assert "kid='sig-1'" in text
        assert "'email'" in text


def test_encrypted_token_redacted() -> None:
    token = jwt.decode_encrypted(
        jwt.encode_encrypted(CLAIMS, ENC.public(), "ECDH-ES+A256KW", "A256GCM"),
        ENC,
        algorithms=["ECDH-ES+A256KW"],
    )
    assert SECRET_CLAIM not in repr(token)
    assert "'email'" in repr(token)


def test_verified_jws_shows_payload_size() -> None:
    payload = SECRET_CLAIM.encode()
    result = jws.verify(jws.sign(payload, SIG, "ES256"), SIG.public(), algorithms=["ES256"])
    for text in _views(result):
        assert SECRET_CLAIM not in text
        assert repr(payload) not in text
        assert f"payload=<{len(payload)} bytes>" in text
        assert "kid='sig-1'" in text
    assert result.payload == payload


def test_decrypted_jwe_shows_plaintext_size() -> None:
    plaintext = SECRET_CLAIM.encode()
    token = jwe.encrypt(plaintext, ENC.public(), "ECDH-ES+A256KW", "A256GCM")
    result = jwe.decrypt(token, ENC, algorithms=["ECDH-ES+A256KW"])
    for text in _views(result):
        assert SECRET_CLAIM not in text
        assert f"plaintext=<{len(plaintext)} bytes>" in text
        assert "'enc': 'A256GCM'" in text


def test_unsecured_results_redacted() -> None:
    token = jwt.decode_unsecured(jwt.encode_unsecured(CLAIMS))
    assert token.key is None
    assert SECRET_CLAIM not in repr(token)
    assert "'email'" in repr(token)
    raw = jws.decode_unsecured(jws.encode_unsecured(SECRET_CLAIM.encode()))
    assert raw.key is None
    assert SECRET_CLAIM not in str(raw)


def test_verified_sdjwt_redacted() -> None:
    from josekit import sdjwt

    claims = {"iss": "https://issuer.example", "email": sdjwt.SD(SECRET_CLAIM)}
    issued = sdjwt.issue(claims, SIG, "ES256")
    verified = sdjwt.verify(
        issued, SIG.public(), algorithms=["ES256"], require_key_binding=False, now=NOW
    )
    assert verified.claims["email"] == SECRET_CLAIM
    assert SECRET_CLAIM not in repr(verified)
    assert "'email'" in repr(verified)

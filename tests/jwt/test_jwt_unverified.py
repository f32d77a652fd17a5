"""Reading a token without verifying it: header and claims, bounded by Limits."""

from __future__ import annotations

import json

import pytest

from josekit import errors, jwe, jwk, jws, jwt
from josekit.policy import Limits

EC = jwk.generate("EC", crv="P-256", kid="ec-1")
ENC = jwk.generate("EC", crv="P-256", kid="enc-1")
CLAIMS = {"iss": "https://issuer.example", "sub": "alice"}


def test_compact_jwt_header_and_claims_without_a_key() -> None:
    token = jwt.encode(CLAIMS, EC, "ES256")
    assert jwt.unverified_header(token) == {"alg": "ES256", "kid": "ec-1", "typ": "JWT"}
    assert jwt.unverified_claims(token) == CLAIMS
    assert jws.unverified_header(token) == jwt.unverified_header(token)


def test_a_forged_signature_is_still_read_but_never_verified() -> None:
    token = jwt.encode(CLAIMS, EC, "ES256")
    forged = token.rsplit(".", 1)[0] + ".AAAA"
    assert jwt.unverified_claims(forged)["iss"] == "https://issuer.example"
    with pytest.raises(errors.JoseError):
        jwt.decode(forged, EC.public(), algorithms=["ES256"])


def test_json_serialization_header_and_claims() -> None:
    payload = json.dumps(CLAIMS).encode()
    general = jws.sign_json(payload, [jws.Signer(EC, "ES256")])
    assert jwt.unverified_header(general)["alg"] == "ES256"
    assert jwt.unverified_header(general)["kid"] == "ec-1"
    assert jwt.unverified_claims(general) == CLAIMS
    assert jwt.unverified_claims(json.dumps(general)) == CLAIMS


def test_jwe_header_only_claims_refused() -> None:
    token = jwt.encode_encrypted(CLAIMS, ENC.public(), "ECDH-ES+A256KW", "A256GCM")
    header = jwt.unverified_header(token)
    assert header["alg"] == "ECDH-ES+A256KW"
    assert header["enc"] == "A256GCM"
    assert header["kid"] == "enc-1"
    assert jwe.unverified_header(token) == header
    with pytest.raises(errors.MalformedError, match="without decrypting"):
        jwt.unverified_claims(token)
    as_json = jwe.encrypt_json(b"{}", [jwe.Recipient(ENC.public(), "ECDH-ES+A256KW")], "A256GCM")
    assert jwt.unverified_header(as_json)["enc"] == "A256GCM"
    with pytest.raises(errors.MalformedError, match="without decrypting"):
        jwt.unverified_claims(as_json)


def test_bounded_by_limits() -> None:
    token = jwt.encode({**CLAIMS, "pad": "x" * 2000}, EC, "ES256")
    small = Limits(max_token_size=1000)
    with pytest.raises(errors.LimitExceededError):
        jwt.unverified_claims(token, limits=small)
    with pytest.raises(errors.LimitExceededError):
        jwt.unverified_header(token, limits=small)
    with pytest.raises(errors.LimitExceededError):
        jwt.unverified_claims(token, limits=Limits(max_payload_size=100))
    deep = jwt.encode({"a": [[[[[1]]]]]}, EC, "ES256")
    with pytest.raises(errors.LimitExceededError, match="deeper"):
        jwt.unverified_claims(deep, limits=Limits(max_json_depth=3))
    big_header = jwt.encode(CLAIMS, EC, "ES256", header={"x": "y" * 500})
    with pytest.raises(errors.LimitExceededError):
        jwt.unverified_header(big_header, limits=Limits(max_header_size=100))


def test_malformed_tokens_raise_jose_errors() -> None:
    for bad in ("", "a.b", "not base64.x.y", "a.b.c.d", "{", b"\xff.\xff.\xff"):
        with pytest.raises(errors.JoseError):
            jwt.unverified_claims(bad)
    with pytest.raises(errors.MalformedError):
        jwe.unverified_header("a.b.c")


@pytest.mark.parametrize("bad", [None, 1, 2.5, ["a.b.c"]])
def test_a_token_of_another_type_is_a_malformed_error_naming_it(bad: object) -> None:
    for read in (jwt.unverified_header, jwt.unverified_claims):
        with pytest.raises(errors.MalformedError, match=type(bad).__name__):
            read(bad)  # type: ignore[arg-type]

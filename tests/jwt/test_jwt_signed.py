"""Signed JWTs: encode/decode, the header rules, tampering and the token-kind checks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from jwt_helpers import NOW, hmac_key, rsa_key, signed, signing_key, tamper_part

from josekit import KeySet, Limits, jwk, jws, jwt
from josekit._b64 import b64e_str
from josekit.errors import (
    AlgorithmNotAllowedError,
    ClaimError,
    CriticalHeaderError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidHeaderError,
    InvalidKeyError,
    InvalidSignatureError,
    JoseError,
    KeyNotFoundError,
    LimitExceededError,
    MalformedError,
    UnsupportedAlgorithmError,
)

CLAIMS = {"iss": "https://issuer.example", "sub": "user-1", "exp": NOW + 600, "iat": NOW}


def header_of(token: str) -> dict[str, object]:
    """The decoded protected header of a compact token (test-side, no verification)."""
    import base64

    h64 = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(h64 + "=" * (-len(h64) % 4)))


# -- encode ------------------------------------------------------------------------------------


def test_roundtrip_returns_claims_header_and_key() -> None:
    key = jwk.generate("EC", crv="P-256", kid="ec-1")
    token = jwt.encode(CLAIMS, key, "ES256")
    result = jwt.decode(token, key.public(), algorithms=["ES256"], now=NOW)
    assert result.claims == CLAIMS
    assert result.header == {"alg": "ES256", "kid": "ec-1", "typ": "JWT"}
    assert result.key == key.public()
    assert isinstance(result, jwt.Token)


def test_token_is_frozen() -> None:
    token = jwt.encode(CLAIMS, hmac_key(), "HS256")
    result = jwt.decode(token, hmac_key(), algorithms=["HS256"], now=NOW)
    with pytest.raises(AttributeError):
        result.claims = {}  # type: ignore[misc]


def test_typ_defaults_to_jwt_and_header_can_override() -> None:
    key = hmac_key()
    assert header_of(jwt.encode(CLAIMS, key, "HS256"))["typ"] == "JWT"
    token = jwt.encode(CLAIMS, key, "HS256", header={"typ": "at+jwt", "x-extra": 1})
    assert header_of(token)["typ"] == "at+jwt"
    assert header_of(token)["x-extra"] == 1


@pytest.mark.parametrize("b64", [False, True])
def test_encode_refuses_b64(b64: bool) -> None:
    with pytest.raises(InvalidHeaderError, match="b64"):
        jwt.encode(CLAIMS, hmac_key(), "HS256", header={"b64": b64, "crit": ["b64"]})


@pytest.mark.parametrize("cty", ["JWT", "jwt", "application/JWT"])
def test_encode_refuses_nested_cty(cty: str) -> None:
    with pytest.raises(InvalidHeaderError, match="encode_nested"):
        jwt.encode(CLAIMS, hmac_key(), "HS256", header={"cty": cty})


def test_encode_refuses_alg_none() -> None:
    with pytest.raises(AlgorithmNotAllowedError):
        jwt.encode(CLAIMS, hmac_key(), "none")


def test_encode_refuses_header_alg_contradiction() -> None:
    with pytest.raises(InvalidHeaderError):
        jwt.encode(CLAIMS, hmac_key(), "HS256", header={"alg": "HS512"})


def test_encode_refuses_key_of_wrong_type() -> None:
    with pytest.raises(InvalidKeyError):
        jwt.encode(CLAIMS, rsa_key(), "HS256")
    with pytest.raises(InvalidKeyError):
        jwt.encode(CLAIMS, b"secret" * 8, "HS256")  # type: ignore[arg-type]


def test_encode_converts_aware_datetimes() -> None:
    when = datetime(2030, 1, 2, 3, 4, 5, 600000, tzinfo=timezone.utc)
    token = jwt.encode(
        {"exp": when, "nbf": when - timedelta(hours=1), "iat": when - timedelta(hours=1)},
        hmac_key(),
        "HS256",
    )
    claims = jwt.decode(
        token, hmac_key(), algorithms=["HS256"], now=when - timedelta(minutes=30)
    ).claims
    assert claims == {"exp": 1893553445, "nbf": 1893549845, "iat": 1893549845}
    assert all(type(v) is int for v in claims.values())


def test_encode_leaves_the_callers_claims_alone() -> None:
    when = datetime(2030, 1, 1, tzinfo=timezone.utc)
    claims = {"exp": when, "aud": ("a", "b")}
    token = jwt.encode(claims, hmac_key(), "HS256")
    assert claims == {"exp": when, "aud": ("a", "b")}
    decoded = jwt.decode(token, hmac_key(), algorithms=["HS256"], audience="a", now=NOW).claims
    assert decoded == {"exp": 1893456000, "aud": ["a", "b"]}


def test_encode_accepts_any_mapping() -> None:
    from types import MappingProxyType

    claims = MappingProxyType({"sub": "x", "iat": datetime(2020, 1, 1, tzinfo=timezone.utc)})
    token = jwt.encode(claims, hmac_key(), "HS256")
    assert jwt.decode(token, hmac_key(), algorithms=["HS256"], now=NOW).claims == {
        "sub": "x",
        "iat": 1577836800,
    }


def test_encode_refuses_naive_datetime() -> None:
    with pytest.raises(InvalidClaimError, match="naive") as info:
        jwt.encode({"exp": datetime(2030, 1, 1)}, hmac_key(), "HS256")
    assert info.value.claim == "exp"


@pytest.mark.parametrize(
    ("claims", "name"),
    [
        ({"exp": "1700000000"}, "exp"),
        ({"nbf": True}, "nbf"),
        ({"iat": float("nan")}, "iat"),
        ({"exp": float("inf")}, "exp"),
        ({"iss": 1}, "iss"),
        ({"sub": None}, "sub"),
        ({"jti": ["a"]}, "jti"),
        ({"aud": []}, "aud"),
        ({"aud": ["a", ""]}, "aud"),
        ({"aud": ["a", 1]}, "aud"),
        ({"aud": 5}, "aud"),
        ({"data": {1, 2}}, "data"),
        ({"data": b"bytes"}, "data"),
        ({"data": float("nan")}, "data"),
        ({"nested": {"deep": object()}}, "nested"),
        ({1: "x"}, "1"),
    ],
)
def test_encode_refuses_bad_claims(claims: dict[object, object], name: str) -> None:
    with pytest.raises(InvalidClaimError) as info:
        jwt.encode(claims, hmac_key(), "HS256")  # type: ignore[arg-type]
    assert info.value.claim == name


def test_encode_refuses_too_deep_claims() -> None:
    deep: object = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(InvalidClaimError) as info:
        jwt.encode({"deep": deep}, hmac_key(), "HS256")
    assert info.value.claim == "deep"


def test_encode_refuses_non_mapping() -> None:
    with pytest.raises(MalformedError, match="mapping"):
        jwt.encode([("iss", "x")], hmac_key(), "HS256")  # type: ignore[arg-type]


def test_encode_accepts_audience_tuple_as_list() -> None:
    token = jwt.encode({"aud": ("a", "b")}, hmac_key(), "HS256")
    assert jwt.decode(token, hmac_key(), algorithms=["HS256"], audience="b").claims == {
        "aud": ["a", "b"]
    }


def test_encode_keeps_unicode_and_nested_values() -> None:
    claims = {"name": "Zoë ✓", "roles": ["a", {"b": [1, 2.5, None, True]}]}
    token = jwt.encode(claims, hmac_key(), "HS256")
    assert jwt.decode(token, hmac_key(), algorithms=["HS256"]).claims == claims


# -- decode: keys and algorithms ---------------------------------------------------------------


def test_decode_with_keyset_picks_by_kid() -> None:
    keys = [jwk.generate("EC", crv="P-256", kid=f"k{i}") for i in range(3)]
    token = jwt.encode(CLAIMS, keys[2], "ES256")
    keyset = KeySet([k.public() for k in keys])
    result = jwt.decode(token, keyset, algorithms=["ES256"], now=NOW)
    assert result.key is not None
    assert result.key.kid == "k2"


def test_decode_unknown_kid_in_keyset() -> None:
    token = jwt.encode(CLAIMS, jwk.generate("oct", kid="other"), "HS256")
    with pytest.raises(KeyNotFoundError):
        jwt.decode(token, KeySet([hmac_key()]), algorithms=["HS256"], now=NOW)


def test_decode_requires_algorithms() -> None:
    token = jwt.encode(CLAIMS, hmac_key(), "HS256")
    for bad in ([], None, "HS256"):
        with pytest.raises(AlgorithmNotAllowedError):
            jwt.decode(token, hmac_key(), algorithms=bad, now=NOW)  # type: ignore[arg-type]


def test_decode_refuses_alg_not_allowed() -> None:
    token = jwt.encode(CLAIMS, hmac_key(), "HS256")
    with pytest.raises(AlgorithmNotAllowedError, match="HS256"):
        jwt.decode(token, hmac_key(), algorithms=["HS512"], now=NOW)


def test_decode_refuses_alg_none_and_points_to_unsecured() -> None:
    token = jwt.encode_unsecured(CLAIMS)
    with pytest.raises(AlgorithmNotAllowedError, match="decode_unsecured"):
        jwt.decode(token, hmac_key(), algorithms=["HS256"], now=NOW)
    with pytest.raises(UnsupportedAlgorithmError):
        jwt.decode(token, hmac_key(), algorithms=["none"], now=NOW)


def test_decode_refuses_none_with_forged_signature() -> None:
    h64 = b64e_str(b'{"alg":"none","typ":"JWT"}')
    p64 = b64e_str(json.dumps(CLAIMS).encode())
    with pytest.raises(AlgorithmNotAllowedError):
        jwt.decode(f"{h64}.{p64}.AAAA", hmac_key(), algorithms=["HS256"], now=NOW)


def test_algorithm_confusion_rsa_public_key_as_hmac_secret() -> None:
    """HS256 signed with the bytes of an RSA public key never verifies against that key."""
    public = rsa_key().public()
    pem_secret = jwk.Key.import_key({"kty": "oct", "k": b64e_str(public.to_pem().encode())})
    forged = jwt.encode(CLAIMS, pem_secret, "HS256")
    with pytest.raises(InvalidKeyError):
        jwt.decode(forged, public, algorithms=["HS256", "RS256"], now=NOW)


def test_key_alg_must_match_header_alg() -> None:
    key = jwk.generate("oct", size=512, alg="HS512")
    token = signed(CLAIMS, key=jwk.Key.import_key({**key.to_dict(private=True), "alg": "HS256"}))
    with pytest.raises(InvalidKeyError):
        jwt.decode(token, key, algorithms=["HS256", "HS512"], now=NOW)


def test_key_with_use_enc_cannot_verify() -> None:
    secret = hmac_key().to_dict(private=True)
    token = jwt.encode(CLAIMS, hmac_key(), "HS256")
    with pytest.raises(InvalidKeyError):
        jwt.decode(token, jwk.Key.import_key({**secret, "use": "enc"}), algorithms=["HS256"])


# -- decode: tampering -------------------------------------------------------------------------


@pytest.mark.parametrize("part", [0, 1, 2])
def test_tampering_any_part_is_refused(part: int) -> None:
    token = jwt.encode(CLAIMS, signing_key("ES256"), "ES256")
    bad = tamper_part(token, part)
    with pytest.raises((InvalidSignatureError, MalformedError)):
        jwt.decode(bad, signing_key("ES256").public(), algorithms=["ES256"], now=NOW)


def test_swapped_payload_is_refused() -> None:
    key = hmac_key()
    one = jwt.encode({"sub": "alice"}, key, "HS256").split(".")
    two = jwt.encode({"sub": "admin"}, key, "HS256").split(".")
    with pytest.raises(InvalidSignatureError):
        jwt.decode(f"{one[0]}.{two[1]}.{one[2]}", key, algorithms=["HS256"])


def test_bad_signature_is_never_a_claim_error() -> None:
    """An expired token with a wrong signature reports the signature, not the claim."""
    token = jwt.encode({"exp": NOW - 10}, hmac_key(), "HS256")
    with pytest.raises(InvalidSignatureError):
        jwt.decode(tamper_part(token, 2), hmac_key(), algorithms=["HS256"], now=NOW)
    with pytest.raises(ExpiredTokenError):
        jwt.decode(token, hmac_key(), algorithms=["HS256"], now=NOW)


def test_claims_never_read_from_an_unverified_token() -> None:
    """Claims that fail validation in a token signed by another key: the key error wins."""
    token = jwt.encode({"aud": "someone-else"}, jwk.generate("oct"), "HS256")
    with pytest.raises(InvalidSignatureError):
        jwt.decode(token, hmac_key(), algorithms=["HS256"])


# -- decode: structure -------------------------------------------------------------------------


def test_jwe_given_to_decode_points_to_decode_encrypted() -> None:
    fake_jwe = (
        "eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA"
    )
    with pytest.raises(MalformedError, match=r"decode_encrypted\(\)"):
        jwt.decode(fake_jwe, hmac_key(), algorithms=["HS256"])


def test_json_serialization_is_refused() -> None:
    general = jws.sign_json(json.dumps(CLAIMS), [jws.Signer(hmac_key(), "HS256")])
    with pytest.raises(MalformedError, match="compact"):
        jwt.decode(json.dumps(general), hmac_key(), algorithms=["HS256"])


@pytest.mark.parametrize("token", ["", "a", "a.b", "a.b.c.d", "....", "a.b.c.d.e.f"])
def test_wrong_number_of_parts(token: str) -> None:
    with pytest.raises(MalformedError):
        jwt.decode(token, hmac_key(), algorithms=["HS256"])


def test_decode_accepts_bytes_token() -> None:
    token = jwt.encode(CLAIMS, hmac_key(), "HS256")
    assert jwt.decode(token.encode(), hmac_key(), algorithms=["HS256"], now=NOW).claims == CLAIMS


@pytest.mark.parametrize("token", [12, None, ["a.b.c"], b"\xff.a.b", "é.a.b"])
def test_decode_refuses_non_text_tokens(token: object) -> None:
    with pytest.raises(MalformedError):
        jwt.decode(token, hmac_key(), algorithms=["HS256"])  # type: ignore[arg-type]


def test_non_ascii_in_payload_part_is_malformed() -> None:
    token = jwt.encode(CLAIMS, hmac_key(), "HS256")
    h, p, s = token.split(".")
    with pytest.raises(MalformedError):
        jwt.decode(f"{h}.{p}é.{s}", hmac_key(), algorithms=["HS256"])


def test_token_size_limit() -> None:
    token = jwt.encode({"blob": "x" * 5000}, hmac_key(), "HS256")
    with pytest.raises(LimitExceededError):
        jwt.decode(token, hmac_key(), algorithms=["HS256"], limits=Limits(max_token_size=1000))


def test_payload_size_limit() -> None:
    token = jwt.encode({"blob": "x" * 5000}, hmac_key(), "HS256")
    with pytest.raises(LimitExceededError):
        jwt.decode(token, hmac_key(), algorithms=["HS256"], limits=Limits(max_payload_size=1000))


def test_claims_depth_limit() -> None:
    deep: object = 1
    for _ in range(40):
        deep = [deep]
    token = jwt.encode({"deep": deep}, hmac_key(), "HS256")
    with pytest.raises(LimitExceededError):
        jwt.decode(token, hmac_key(), algorithms=["HS256"])


@pytest.mark.parametrize(
    "payload",
    [b"[]", b'"text"', b"42", b"null", b"", b"not json", b"\xff\xfe", b'{"a":1}{"b":2}'],
)
def test_claims_must_be_one_json_object(payload: bytes) -> None:
    with pytest.raises(MalformedError):
        jwt.decode(signed(payload), hmac_key(), algorithms=["HS256"])


def test_duplicate_claim_names_are_refused() -> None:
    token = signed(b'{"sub":"alice","sub":"admin"}')
    with pytest.raises(MalformedError, match="duplicate"):
        jwt.decode(token, hmac_key(), algorithms=["HS256"])


def test_duplicate_header_names_are_refused() -> None:
    h64 = b64e_str(b'{"alg":"HS256","alg":"none"}')
    p64 = b64e_str(b"{}")
    with pytest.raises(MalformedError, match="duplicate"):
        jwt.decode(f"{h64}.{p64}.AAAA", hmac_key(), algorithms=["HS256"])


def test_nan_in_claims_is_malformed() -> None:
    with pytest.raises(MalformedError):
        jwt.decode(signed(b'{"exp":NaN}'), hmac_key(), algorithms=["HS256"])


@pytest.mark.parametrize("b64", [False, True])
def test_decode_refuses_b64_header(b64: bool) -> None:
    token = jws.sign(
        json.dumps(CLAIMS).replace(".", "") if not b64 else json.dumps(CLAIMS),
        hmac_key(),
        "HS256",
        header={"b64": b64, "crit": ["b64"]},
    )
    with pytest.raises(InvalidHeaderError, match="b64"):
        jwt.decode(token, hmac_key(), algorithms=["HS256"])


def test_decode_refuses_unknown_crit() -> None:
    token = signed(CLAIMS, header={"crit": ["exp-ext"], "exp-ext": 1})
    with pytest.raises(CriticalHeaderError):
        jwt.decode(token, hmac_key(), algorithms=["HS256"])


@pytest.mark.parametrize("cty", ["JWT", "jwt", "application/jwt"])
def test_signed_token_with_nested_cty_is_refused(cty: str) -> None:
    inner = jwt.encode(CLAIMS, hmac_key(), "HS256")
    token = signed(inner.encode(), header={"cty": cty})
    with pytest.raises(MalformedError, match="nested"):
        jwt.decode(token, hmac_key(), algorithms=["HS256"])


def test_header_jwk_is_never_trusted() -> None:
    attacker = jwk.generate("EC", crv="P-256")
    token = signed(CLAIMS, key=attacker, alg="ES256", header={"jwk": attacker.public().to_dict()})
    with pytest.raises(InvalidSignatureError):
        jwt.decode(token, signing_key("ES256").public(), algorithms=["ES256"], now=NOW)


def test_kid_must_be_a_string() -> None:
    token = signed(CLAIMS, header={"kid": 7})
    with pytest.raises(InvalidHeaderError, match="kid"):
        jwt.decode(token, hmac_key(), algorithms=["HS256"])


def test_every_failure_is_a_jose_error() -> None:
    token = jwt.encode(CLAIMS, hmac_key(), "HS256")
    for bad_call in (
        lambda: jwt.decode(token, "not a key", algorithms=["HS256"]),  # type: ignore[arg-type]
        lambda: jwt.decode(token, hmac_key(), algorithms=[1]),  # type: ignore[list-item]
        lambda: jwt.decode(token, hmac_key(), algorithms=["HS256"], leeway="5"),  # type: ignore[arg-type]
    ):
        with pytest.raises(JoseError):
            bad_call()


def test_claim_errors_are_claim_errors() -> None:
    token = jwt.encode({"exp": NOW}, hmac_key(), "HS256")
    with pytest.raises(ClaimError) as info:
        jwt.decode(token, hmac_key(), algorithms=["HS256"], now=NOW)
    assert info.value.claim == "exp"


def _flip_unused_bit(part: str) -> str:
    """The same bytes, spelled with a non-zero unused bit (an HS256 MAC has 2 spare bits)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    assert len(part) % 4 == 3
    return part[:-1] + alphabet[alphabet.index(part[-1]) ^ 1]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda h, p, s: (h, p, s + "="),  # padding
        lambda h, p, s: (h, p + "=", s),
        lambda h, p, s: (h, p.replace("e", "+", 1), s),  # standard alphabet
        lambda h, p, s: (h, p, s.replace("_", "/", 1) if "_" in s else s + "/"),
        lambda h, p, s: (h, " " + p, s),  # whitespace
        lambda h, p, s: (
            h,
            p,
            s[:-1] + chr(ord(s[-1]) + 1) if s[-1] in "AEIMQUYcgkosw048" else s + "x",
        ),
    ],
)
def test_non_canonical_base64url_is_refused(mutate: Any) -> None:
    """A token must not have two spellings: padding, other alphabets, stray bits, spaces."""
    token = jwt.encode(CLAIMS, hmac_key(), "HS256")
    bad = ".".join(mutate(*token.split(".")))
    assert bad != token
    with pytest.raises((MalformedError, InvalidSignatureError)):
        jwt.decode(bad, hmac_key(), algorithms=["HS256"], now=NOW)


def test_kid_length_limit() -> None:
    token = signed(CLAIMS, header={"kid": "k" * 600})
    with pytest.raises(LimitExceededError, match="kid"):
        jwt.decode(token, KeySet([hmac_key()]), algorithms=["HS256"], now=NOW)


def test_header_size_limit() -> None:
    token = signed(CLAIMS, header={"x-pad": "p" * 9000})
    with pytest.raises(LimitExceededError):
        jwt.decode(token, hmac_key(), algorithms=["HS256"], now=NOW)


def test_decode_keyset_without_a_fitting_key_says_why() -> None:
    short = jwk.Key.import_key({"kty": "oct", "k": b64e_str(b"s" * 16), "kid": "h1"})
    token = jwt.encode(CLAIMS, jwk.generate("oct", size=256, kid="h1"), "HS256")
    with pytest.raises(KeyNotFoundError, match="at least 256 bits; this one has 128"):
        jwt.decode(token, KeySet([short]), algorithms=["HS256"], now=NOW)


def test_decode_refuses_b64_before_crit_and_after_the_algorithm() -> None:
    token = jws.sign(b"{}", hmac_key(), "HS256", header={"b64": True, "crit": ["b64"]})
    with pytest.raises(InvalidHeaderError, match="a JWT never uses 'b64'"):
        jwt.decode(token, hmac_key(), algorithms=["HS256"], now=NOW)
    with pytest.raises(AlgorithmNotAllowedError, match="HS256"):
        jwt.decode(token, hmac_key(), algorithms=["HS384"], now=NOW)
    # jws.verify, on the same path, reports the extension it was not told to understand.
    with pytest.raises(CriticalHeaderError):
        jws.verify(token, hmac_key(), algorithms=["HS256"])

"""The access-token (RFC 9068) and ID-token (OpenID Connect) helpers, and unsecured JWTs."""

from __future__ import annotations

from typing import Any

import pytest
from jwt_helpers import NOW, signing_key, tamper_part

from josekit import jwt
from josekit.errors import (
    AlgorithmNotAllowedError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidHeaderError,
    InvalidSignatureError,
    JoseError,
    MalformedError,
    MissingClaimError,
    NotYetValidError,
)

ISSUER = "https://as.example"
API = "https://api.example"
CLIENT = "client-1"

ACCESS = {
    "iss": ISSUER,
    "exp": NOW + 300,
    "aud": API,
    "sub": "user-1",
    "client_id": CLIENT,
    "iat": NOW,
    "jti": "token-1",
    "scope": "read",
}

ID_TOKEN = {
    "iss": ISSUER,
    "sub": "user-1",
    "aud": CLIENT,
    "exp": NOW + 300,
    "iat": NOW,
    "nonce": "n-0S6_WzA2Mj",
    "auth_time": NOW - 60,
}


def key() -> Any:
    return signing_key("ES256")


def access_token(claims: dict[str, Any], typ: str | None = "at+jwt") -> str:
    header = {"typ": typ} if typ is not None else None
    return jwt.encode(claims, key(), "ES256", header=header)


def decode_access(token: str, **kw: Any) -> jwt.Token:
    kw.setdefault("now", NOW)
    kw.setdefault("issuer", ISSUER)
    kw.setdefault("audience", API)
    return jwt.decode_access_token(token, key().public(), algorithms=["ES256"], **kw)


def id_token(claims: dict[str, Any], header: dict[str, Any] | None = None) -> str:
    return jwt.encode(claims, key(), "ES256", header=header)


def decode_id(token: str, **kw: Any) -> jwt.Token:
    kw.setdefault("now", NOW)
    return jwt.decode_id_token(
        token, key().public(), algorithms=["ES256"], issuer=ISSUER, client_id=CLIENT, **kw
    )


# -- access tokens -----------------------------------------------------------------------------


@pytest.mark.parametrize("typ", ["at+jwt", "application/at+jwt", "AT+JWT"])
def test_access_token_accepted(typ: str) -> None:
    assert decode_access(access_token(ACCESS, typ)).claims == ACCESS


@pytest.mark.parametrize("typ", [None, "JWT", "jwt", "id+jwt"])
def test_access_token_needs_typ_at_jwt(typ: str | None) -> None:
    with pytest.raises(InvalidHeaderError, match="at\\+jwt"):
        decode_access(access_token(ACCESS, typ))


@pytest.mark.parametrize("name", ["iss", "exp", "aud", "sub", "client_id", "iat", "jti"])
def test_access_token_required_claims(name: str) -> None:
    claims = {k: v for k, v in ACCESS.items() if k != name}
    with pytest.raises(MissingClaimError) as info:
        decode_access(access_token(claims))
    assert info.value.claim == name


def test_access_token_issuer_audience_client_and_extra_required() -> None:
    token = access_token(ACCESS)
    with pytest.raises(InvalidClaimError, match="iss"):
        decode_access(token, issuer="https://other.example")
    with pytest.raises(InvalidClaimError, match="aud"):
        decode_access(token, audience="https://other-api.example")
    decode_access(token, client_id=CLIENT)
    with pytest.raises(InvalidClaimError, match="client_id"):
        decode_access(token, client_id="client-2")
    with pytest.raises(MissingClaimError, match="cnf"):
        decode_access(token, required=["cnf"])
    with pytest.raises(ExpiredTokenError):
        decode_access(token, now=NOW + 300)
    with pytest.raises(InvalidClaimError, match="sub"):
        decode_access(token, subject="user-2")


def test_access_token_signature_first() -> None:
    token = tamper_part(access_token({**ACCESS, "exp": NOW}), 2)
    with pytest.raises(InvalidSignatureError):
        decode_access(token)


def test_access_token_bad_options() -> None:
    with pytest.raises(JoseError):
        decode_access(access_token(ACCESS), client_id="")
    with pytest.raises(JoseError):
        decode_access(access_token(ACCESS), required="scope")


# -- ID tokens ---------------------------------------------------------------------------------


def test_id_token_accepted() -> None:
    result = decode_id(id_token(ID_TOKEN), nonce="n-0S6_WzA2Mj", max_auth_age=120)
    assert result.claims == ID_TOKEN


@pytest.mark.parametrize("name", ["iss", "sub", "aud", "exp", "iat"])
def test_id_token_required_claims(name: str) -> None:
    claims = {k: v for k, v in ID_TOKEN.items() if k != name}
    with pytest.raises(MissingClaimError) as info:
        decode_id(id_token(claims))
    assert info.value.claim == name


def test_id_token_audience_is_the_client() -> None:
    with pytest.raises(InvalidClaimError, match="aud"):
        decode_id(id_token({**ID_TOKEN, "aud": "client-2"}))
    decode_id(id_token({**ID_TOKEN, "aud": [CLIENT], "azp": CLIENT}))


def test_id_token_several_audiences_need_azp() -> None:
    claims = {**ID_TOKEN, "aud": [CLIENT, "client-2"]}
    with pytest.raises(MissingClaimError) as info:
        decode_id(id_token(claims))
    assert info.value.claim == "azp"
    decode_id(id_token({**claims, "azp": CLIENT}))
    with pytest.raises(InvalidClaimError) as wrong:
        decode_id(id_token({**claims, "azp": "client-2"}))
    assert wrong.value.claim == "azp"


def test_id_token_azp_must_be_the_client_when_present() -> None:
    decode_id(id_token({**ID_TOKEN, "azp": CLIENT}))
    with pytest.raises(InvalidClaimError, match="azp"):
        decode_id(id_token({**ID_TOKEN, "azp": "client-2"}))


def test_id_token_nonce() -> None:
    token = id_token(ID_TOKEN)
    decode_id(token, nonce="n-0S6_WzA2Mj")
    decode_id(token)  # no nonce sent: not checked
    with pytest.raises(InvalidClaimError) as info:
        decode_id(token, nonce="other")
    assert info.value.claim == "nonce"
    assert "other" not in str(info.value)
    assert ID_TOKEN["nonce"] not in str(info.value)
    without = id_token({k: v for k, v in ID_TOKEN.items() if k != "nonce"})
    with pytest.raises(MissingClaimError, match="nonce"):
        decode_id(without, nonce="n-0S6_WzA2Mj")
    with pytest.raises(InvalidClaimError, match="nonce"):
        decode_id(id_token({**ID_TOKEN, "nonce": 5}), nonce="5")


def test_id_token_max_auth_age() -> None:
    token = id_token(ID_TOKEN)
    decode_id(token, max_auth_age=60)  # exactly 60 s ago
    with pytest.raises(ExpiredTokenError) as info:
        decode_id(token, max_auth_age=59)
    assert info.value.claim == "auth_time"
    decode_id(token, max_auth_age=59, leeway=1)
    without = id_token({k: v for k, v in ID_TOKEN.items() if k != "auth_time"})
    with pytest.raises(MissingClaimError, match="auth_time"):
        decode_id(without, max_auth_age=600)
    with pytest.raises(InvalidClaimError, match="auth_time"):
        decode_id(id_token({**ID_TOKEN, "auth_time": "yesterday"}), max_auth_age=600)


def test_id_token_max_age_on_iat() -> None:
    token = id_token(ID_TOKEN)
    decode_id(token, max_age=10, now=NOW + 10)
    with pytest.raises(ExpiredTokenError):
        decode_id(token, max_age=10, now=NOW + 11)


@pytest.mark.parametrize("typ", ["at+jwt", "application/at+jwt", "logout+jwt", "secevent+jwt"])
def test_id_token_refuses_other_typed_tokens(typ: str) -> None:
    with pytest.raises(InvalidHeaderError, match="typ"):
        decode_id(id_token(ID_TOKEN, header={"typ": typ}))


def test_access_token_is_not_an_id_token() -> None:
    """An access token from the same issuer, even aimed at the client, is refused."""
    claims = {**ACCESS, "aud": CLIENT}
    with pytest.raises(InvalidHeaderError):
        decode_id(access_token(claims))


def test_id_token_bad_options() -> None:
    token = id_token(ID_TOKEN)
    for options in ({"nonce": ""}, {"max_auth_age": -1}, {"required": "x"}):
        with pytest.raises(JoseError):
            decode_id(token, **options)
    with pytest.raises(JoseError):
        jwt.decode_id_token(
            token, key().public(), algorithms=["ES256"], issuer="", client_id=CLIENT
        )
    with pytest.raises(JoseError):
        jwt.decode_id_token(
            token, key().public(), algorithms=["ES256"], issuer=ISSUER, client_id=None
        )  # type: ignore[arg-type]


# -- unsecured JWTs ----------------------------------------------------------------------------


def test_unsecured_roundtrip_validates_claims() -> None:
    token = jwt.encode_unsecured({"iss": "joe", "exp": NOW + 1})
    assert token.endswith(".")
    result = jwt.decode_unsecured(token, issuer="joe", now=NOW)
    assert result.claims == {"iss": "joe", "exp": NOW + 1}
    assert result.header == {"alg": "none", "typ": "JWT"}
    assert result.key is None
    with pytest.raises(ExpiredTokenError):
        jwt.decode_unsecured(token, now=NOW + 1)
    with pytest.raises(InvalidClaimError):
        jwt.decode_unsecured(token, issuer="eve", now=NOW)
    with pytest.raises(NotYetValidError):
        jwt.decode_unsecured(jwt.encode_unsecured({"nbf": NOW + 5}), now=NOW)


def test_rfc7519_section_6_1_unsecured_example() -> None:
    token = (
        "eyJhbGciOiJub25lIn0"
        ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        "."
    )
    result = jwt.decode_unsecured(token, now=1300819379)
    assert result.claims == {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True}


def test_unsecured_refuses_signed_and_signature() -> None:
    signed_token = jwt.encode({"a": 1}, key(), "ES256")
    with pytest.raises(InvalidHeaderError):
        jwt.decode_unsecured(signed_token)
    with pytest.raises(InvalidSignatureError):
        jwt.decode_unsecured(jwt.encode_unsecured({"a": 1}) + "AAAA")


def test_unsecured_refuses_jwe_and_header_games() -> None:
    with pytest.raises(MalformedError, match="decode_encrypted"):
        jwt.decode_unsecured("a.b.c.d.e")
    with pytest.raises(InvalidHeaderError):
        jwt.encode_unsecured({"a": 1}, header={"alg": "HS256"})
    with pytest.raises(InvalidHeaderError, match="b64"):
        jwt.encode_unsecured({"a": 1}, header={"b64": False})


def test_unsecured_is_never_accepted_by_decode() -> None:
    token = jwt.encode_unsecured({"sub": "admin"})
    with pytest.raises(AlgorithmNotAllowedError):
        jwt.decode(token, key().public(), algorithms=["ES256"])

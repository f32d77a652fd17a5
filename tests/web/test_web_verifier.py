"""BearerVerifier: every refusal of RFC 6750 §3 and SECURITY-NOTES-2 §3, sync and async."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from web_helpers import AUDIENCE, ISSUER, NOW, Issuer, closed_port_url

from josekit import jwk, jwt
from josekit.errors import BearerError, JoseError
from josekit.jwks import AsyncRemoteKeySet, RemoteKeySet
from josekit.web import REFUSALS, BearerVerifier, Principal

INVALID = REFUSALS["invalid_token"].description


def verifier(keys: Any, **options: Any) -> BearerVerifier:
    options.setdefault("issuer", ISSUER)
    options.setdefault("audience", AUDIENCE)
    options.setdefault("algorithms", ["ES256"])
    return BearerVerifier(keys, **options)


def refused(v: BearerVerifier, authorization: str | None, **kwargs: Any) -> BearerError:
    kwargs.setdefault("now", NOW)
    with pytest.raises(BearerError) as caught:
        v.verify(authorization, **kwargs)
    return caught.value


def test_valid_token_gives_the_principal(issuer: Issuer) -> None:
    found = verifier(issuer.keys).verify("Bearer " + issuer.token(), now=NOW)
    assert isinstance(found, Principal)
    assert found.subject == "alice"
    assert found.client_id == "client-1"
    assert found.scopes == frozenset({"read", "write"})
    assert found.claims["jti"] == "jti-1"
    assert found.token.key is not None
    assert "eyJ" not in repr(found)


def test_missing_header_is_a_bare_challenge(issuer: Issuer) -> None:
    err = refused(verifier(issuer.keys), None)
    assert (err.status, err.error, err.www_authenticate) == (401, None, "Bearer")
    assert err.headers == {"WWW-Authenticate": "Bearer"}


def test_realm_and_resource_metadata_appear_in_every_challenge(issuer: Issuer) -> None:
    meta = "https://api.example/.well-known/oauth-protected-resource"
    v = verifier(issuer.keys, realm="api", resource_metadata=meta)
    assert refused(v, None).www_authenticate == f'Bearer realm="api", resource_metadata="{meta}"'
    assert refused(v, "Bearer x.y.z").www_authenticate == (
        f'Bearer realm="api", error="invalid_token", error_description="{INVALID}", '
        f'resource_metadata="{meta}"'
    )


@pytest.mark.parametrize(
    ("header", "status", "error"),
    [
        ("Bearer", 400, "invalid_request"),
        ("Bearer a b", 400, "invalid_request"),
        ("Bearer a, Bearer b", 400, "invalid_request"),
        ("Basic dXNlcjpwYXNz", 401, None),
    ],
)
def test_bad_headers(issuer: Issuer, header: str, status: int, error: str | None) -> None:
    err = refused(verifier(issuer.keys), header)
    assert (err.status, err.error) == (status, error)
    assert err.www_authenticate is not None
    assert err.www_authenticate.startswith("Bearer")
    assert (err.error is None) == (err.www_authenticate == "Bearer")


def _forged(issuer: Issuer) -> str:
    other = Issuer(kid=issuer.kid)
    return other.token()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(_forged, id="bad-signature"),
        pytest.param(lambda i: i.token(exp=NOW - 1), id="expired"),
        pytest.param(lambda i: i.token(iss="https://evil.example"), id="wrong-issuer"),
        pytest.param(lambda i: i.token(aud="https://other-api.example"), id="wrong-audience"),
        pytest.param(lambda i: i.token(header={"typ": "JWT"}), id="wrong-typ"),
        pytest.param(lambda i: i.token(header={"typ": "dpop+jwt"}), id="dpop-proof-typ"),
        pytest.param(lambda i: i.token(client_id=None), id="no-client-id"),
        pytest.param(lambda i: i.token(exp=None), id="no-exp"),
        pytest.param(lambda i: i.token(nbf=NOW + 3600), id="not-yet-valid"),
        pytest.param(lambda i: i.token(scope=["read"]), id="scope-not-a-string"),
        pytest.param(lambda i: i.token(cnf={"jkt": "abc"}), id="dpop-bound-as-bearer"),
        pytest.param(lambda i: i.token(cnf={"x5t#S256": "abc"}), id="mtls-bound-as-bearer"),
    ],
)
def test_bad_tokens_are_invalid_token_with_one_description(issuer: Issuer, make: Any) -> None:
    err = refused(verifier(issuer.keys), "Bearer " + make(issuer))
    assert (err.status, err.error, err.description) == (401, "invalid_token", INVALID)
    assert err.www_authenticate == f'Bearer error="invalid_token", error_description="{INVALID}"'


def test_the_cause_is_kept_for_logs_not_shown(issuer: Issuer) -> None:
    err = refused(verifier(issuer.keys), "Bearer " + issuer.token(exp=NOW - 1))
    assert "exp" in str(err.__cause__)
    assert "exp" not in err.description


def test_a_key_in_the_token_header_is_never_used(issuer: Issuer) -> None:
    attacker = jwk.generate("EC", crv="P-256", kid=issuer.kid)
    claims = issuer.claims(NOW)
    header = {"typ": "at+jwt", "jwk": attacker.public().to_dict()}
    token = jwt.encode(claims, attacker, "ES256", header=header)
    assert refused(verifier(issuer.keys), "Bearer " + token).error == "invalid_token"


def test_algorithm_outside_the_allow_list_is_refused(issuer: Issuer) -> None:
    v = verifier(issuer.keys, algorithms=["RS256"])
    assert refused(v, "Bearer " + issuer.token()).error == "invalid_token"


def test_leeway_and_now(issuer: Issuer) -> None:
    token = issuer.token(exp=NOW - 5)
    assert verifier(issuer.keys, leeway=10).verify("Bearer " + token, now=NOW).subject == "alice"
    assert refused(verifier(issuer.keys, leeway=4), "Bearer " + token).error == "invalid_token"


def test_plain_jwt_profile(issuer: Issuer) -> None:
    v = verifier(issuer.keys, profile="jwt")
    token = issuer.token(header={"typ": "JWT"}, client_id=None, jti=None)
    assert v.verify("Bearer " + token, now=NOW).client_id is None
    for typ in ("dpop+jwt", "kb+jwt", "application/vc+sd-jwt"):
        bad = issuer.token(header={"typ": typ})
        assert refused(v, "Bearer " + bad).error == "invalid_token"
    assert refused(v, "Bearer " + issuer.token(exp=None)).error == "invalid_token"


def test_explicit_typ(issuer: Issuer) -> None:
    v = verifier(issuer.keys, typ="application/custom+jwt")
    assert v.verify("Bearer " + issuer.token(header={"typ": "custom+jwt"}), now=NOW)
    assert refused(v, "Bearer " + issuer.token()).error == "invalid_token"


def test_scopes(issuer: Issuer) -> None:
    v = verifier(issuer.keys, required_scopes=["read"])
    found = v.verify("Bearer " + issuer.token(), now=NOW)
    v.require_scopes(found, ["write"])
    with pytest.raises(BearerError) as caught:
        v.require_scopes(found, ["admin"])
    err = caught.value
    assert (err.status, err.error) == (403, "insufficient_scope")
    assert err.www_authenticate is not None
    assert 'scope="admin read"' in err.www_authenticate
    err = refused(verifier(issuer.keys, required_scopes=["admin"]), "Bearer " + issuer.token())
    assert (err.status, err.error) == (403, "insufficient_scope")
    scp = issuer.token(scope=None, scp=["admin"])
    assert verifier(issuer.keys).verify("Bearer " + scp, now=NOW).scopes == {"admin"}


def test_query_token_refused_unless_enabled(issuer: Issuer) -> None:
    token = issuer.token()
    url = f"https://api.example/items?access_token={token}"
    err = refused(verifier(issuer.keys), None, url=url)
    assert (err.status, err.error) == (400, "invalid_request")
    assert token not in err.description
    assert token not in (err.www_authenticate or "")
    enabled = verifier(issuer.keys, allow_query_token=True)
    assert enabled.verify(None, url=url, now=NOW).subject == "alice"
    err = refused(enabled, "Bearer " + token, url=url)
    assert (err.status, err.error) == (400, "invalid_request")


def test_dpop_modes(issuer: Issuer) -> None:
    token = issuer.token()
    disabled = verifier(issuer.keys, dpop="disabled")
    assert disabled.verify("Bearer " + token, now=NOW)
    err = refused(disabled, "DPoP " + token, dpop="proof")
    assert (err.status, err.error, err.www_authenticate) == (401, None, "Bearer")
    allowed = verifier(issuer.keys, dpop="allowed")
    assert allowed.verify("Bearer " + token, now=NOW)
    # an unbound token sent with the DPoP scheme (tests/web/test_web_dpop.py has the rest)
    err = refused(allowed, "DPoP " + token, dpop="proof", url="https://api.example/")
    assert (err.status, err.error) == (401, "invalid_token")
    assert (err.www_authenticate or "").startswith("DPoP ")
    required = verifier(issuer.keys, dpop="required")
    for header in ("Bearer " + token, "DPoP " + token, None):
        err = refused(required, header, dpop="proof", url="https://api.example/")
        assert err.status == 401
        assert (err.www_authenticate or "").startswith("DPoP")
        assert 'algs="ES256 ES384 Ed25519 EdDSA PS256"' in (err.www_authenticate or "")
    assert "requires DPoP" in refused(required, "Bearer " + token).description


@pytest.mark.parametrize(
    "options",
    [
        {"algorithms": []},
        {"issuer": None},
        {"audience": None},
        {"issuer": ""},
        {"profile": "id_token"},
        {"dpop": "sometimes"},
        {"realm": 'a"b'},
        {"resource_metadata": "ftp://x"},
        {"required_scopes": "read"},
        {"required_scopes": ["has space"]},
        {"leeway": -1},
    ],
)
def test_bad_configuration_fails_at_construction(issuer: Issuer, options: dict[str, Any]) -> None:
    with pytest.raises(JoseError) as caught:
        verifier(issuer.keys, **options)
    assert not isinstance(caught.value, BearerError)


def test_keys_of_the_wrong_type_fail_at_construction() -> None:
    with pytest.raises(JoseError, match="Key, a KeySet"):
        verifier("https://issuer.example/jwks.json")


def test_keys_unavailable_is_503_not_the_token(issuer: Issuer) -> None:
    with RemoteKeySet(closed_port_url(), timeout=2) as keys:
        err = refused(verifier(keys), "Bearer " + issuer.token())
    assert (err.status, err.error, err.www_authenticate) == (503, "temporarily_unavailable", None)
    assert err.headers == {"Retry-After": "30"}


def test_async_key_set_in_the_sync_path_is_a_usage_error(issuer: Issuer) -> None:
    async def make() -> AsyncRemoteKeySet:
        return AsyncRemoteKeySet(closed_port_url())

    v = verifier(asyncio.run(make()))
    assert v.async_only
    assert not verifier(issuer.keys).async_only
    with pytest.raises(JoseError, match="verify_async") as caught:
        v.verify("Bearer " + issuer.token(), now=NOW)
    assert not isinstance(caught.value, BearerError)


def test_verify_async_with_every_key_source(issuer: Issuer) -> None:
    token = "Bearer " + issuer.token()

    async def main() -> None:
        assert (await verifier(issuer.keys).verify_async(token, now=NOW)).subject == "alice"
        assert (await verifier(issuer.key.public()).verify_async(token, now=NOW)).scopes
        async with AsyncRemoteKeySet(closed_port_url(), timeout=2) as keys:
            with pytest.raises(BearerError) as caught:
                await verifier(keys).verify_async(token, now=NOW)
            assert caught.value.status == 503
        with RemoteKeySet(closed_port_url(), timeout=2) as sync_keys:
            with pytest.raises(BearerError) as caught:
                await verifier(sync_keys).verify_async(token, now=NOW)
            assert caught.value.status == 503
        with pytest.raises(BearerError) as caught:
            await verifier(issuer.keys).verify_async(None, now=NOW)
        assert caught.value.www_authenticate == "Bearer"

    asyncio.run(main())


def test_injection_through_claims_never_reaches_the_header(issuer: Issuer) -> None:
    evil = '"\r\nSet-Cookie: session=stolen'
    for token in (
        issuer.token(iss=evil),
        issuer.token(header={"typ": evil}),
        issuer.token(scope=evil),
        issuer.token(header={"kid": evil}),
    ):
        with pytest.raises(BearerError) as caught:
            verifier(issuer.keys, required_scopes=["admin"]).verify("Bearer " + token, now=NOW)
        for value in caught.value.headers.values():
            assert "\r" not in value
            assert "\n" not in value
            assert "Set-Cookie" not in value


def test_form_token_refused_unless_enabled(issuer: Issuer) -> None:
    token = issuer.token()
    err = refused(verifier(issuer.keys), None, form_token=token)
    assert (err.status, err.error) == (400, "invalid_request")
    assert "body" in err.description
    enabled = verifier(issuer.keys, allow_form_token=True)
    assert enabled.verify(None, form_token=token, now=NOW).subject == "alice"
    for header, form in (("Bearer " + token, token), (None, f"{token}, {token}")):
        err = refused(enabled, header, form_token=form)
        assert (err.status, err.error) == (400, "invalid_request")
    both = verifier(issuer.keys, allow_form_token=True, allow_query_token=True)
    err = refused(both, None, url=f"https://api.example/?access_token={token}", form_token=token)
    assert (err.status, err.error) == (400, "invalid_request")


def test_sync_adapters_refuse_an_async_key_set_when_set_up(issuer: Issuer) -> None:
    from josekit.integrations.flask import require_token

    async def make() -> AsyncRemoteKeySet:
        return AsyncRemoteKeySet(closed_port_url())

    with pytest.raises(JoseError, match="require_token") as caught:
        require_token(verifier(asyncio.run(make())))
    assert not isinstance(caught.value, BearerError)


def test_an_unknown_issuer_is_refused_before_any_key_fetch(issuer: Issuer) -> None:
    # The key server is down: a fetch would answer 503. A stranger's token never gets there.
    with RemoteKeySet(closed_port_url(), timeout=2) as keys:
        v = verifier(keys)
        err = refused(v, "Bearer " + issuer.token(iss="https://stranger.example"))
        assert (err.status, err.error) == (401, "invalid_token")
        assert refused(v, "Bearer " + issuer.token()).status == 503

    async def main() -> int:
        async with AsyncRemoteKeySet(closed_port_url(), timeout=2) as remote:
            with pytest.raises(BearerError) as caught:
                await verifier(remote).verify_async(
                    "Bearer " + issuer.token(iss="https://stranger.example"), now=NOW
                )
        return caught.value.status

    assert asyncio.run(main()) == 401

"""Interop with the reference implementation (the ``sd-jwt`` package), in both directions."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sd_jwt.issuer as reference_issuer
import sd_jwt.verifier as reference_verifier
from jwcrypto import jwk as jwcrypto_jwk
from sd_jwt.common import SDObj

from josekit import Key, sdjwt
from josekit.sdjwt import SD

ISSUER = "https://issuer.example"
AUDIENCE = "https://verifier.example"
NONCE = "5c1a0e8f-nonce"
NOW = 1_800_000_000

REF_ISSUER_KEY = jwcrypto_jwk.JWK.generate(kty="EC", crv="P-256")
REF_HOLDER_KEY = jwcrypto_jwk.JWK.generate(kty="EC", crv="P-256")
ISSUER_KEY = Key.import_key(json.loads(REF_ISSUER_KEY.export_private()))
HOLDER_KEY = Key.import_key(json.loads(REF_HOLDER_KEY.export_private()))

# Each case: the reference package's claims, josekit's, what the holder discloses, and the
# claims the verifier must then see (both libraries, both directions).
CASES: dict[str, tuple[dict[Any, Any], dict[str, Any], list[Any], dict[str, Any]]] = {
    "flat": (
        {"iss": ISSUER, SDObj("given_name"): "Ada", SDObj("email"): "ada@example.com"},
        {"iss": ISSUER, "given_name": SD("Ada"), "email": SD("ada@example.com")},
        ["given_name"],
        {"iss": ISSUER, "given_name": "Ada"},
    ),
    "structured": (
        {"iss": ISSUER, "address": {SDObj("street"): "Main St 1", SDObj("country"): "DE"}},
        {"iss": ISSUER, "address": {"street": SD("Main St 1"), "country": SD("DE")}},
        ["address.country"],
        {"iss": ISSUER, "address": {"country": "DE"}},
    ),
    "recursive": (
        {"iss": ISSUER, SDObj("address"): {SDObj("street"): "Main St 1", "country": "DE"}},
        {"iss": ISSUER, "address": SD({"street": SD("Main St 1"), "country": "DE"})},
        [lambda path, value: path in {("address",)}],
        {"iss": ISSUER, "address": {"country": "DE"}},
    ),
    "array": (
        {"iss": ISSUER, "nationalities": [SDObj("US"), SDObj("DE"), "FR"]},
        {"iss": ISSUER, "nationalities": [SD("US"), SD("DE"), "FR"]},
        [("nationalities", 1)],
        {"iss": ISSUER, "nationalities": ["DE", "FR"]},
    ),
}


def _disclose(choice: list[Any]) -> Any:
    return choice[0] if callable(choice[0]) else choice


def _reference_issued(claims: dict[Any, Any], bound: bool) -> str:
    issuer = reference_issuer.SDJWTIssuer(
        claims,
        REF_ISSUER_KEY,
        holder_key=REF_HOLDER_KEY if bound else None,
        sign_alg="ES256",
        add_decoy_claims=True,
    )
    return str(issuer.sd_jwt_issuance)


def _josekit_verify(presentation: str, bound: bool) -> sdjwt.VerifiedSDJWT:
    extra = {"kb_audience": AUDIENCE, "kb_nonce": NONCE} if bound else {}
    return sdjwt.verify(
        presentation,
        ISSUER_KEY.public(),
        algorithms=["ES256"],
        require_key_binding=bound,
        issuer=ISSUER,
        typ="example+sd-jwt",
        now=NOW,
        **extra,
    )


@pytest.mark.parametrize("bound", [False, True], ids=["bare", "key-bound"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_reference_issuer_to_josekit_holder_and_verifier(case: str, bound: bool) -> None:
    reference_claims, _, choice, expected = CASES[case]
    issued = _reference_issued(reference_claims, bound)
    everything = sdjwt.parse(issued)
    assert len(everything.disclosures) >= 2
    kb = (
        {"holder_key": HOLDER_KEY, "alg": "ES256", "audience": AUDIENCE, "nonce": NONCE, "iat": NOW}
        if bound
        else {}
    )
    presentation = sdjwt.present(issued, _disclose(choice), **kb)
    verified = _josekit_verify(presentation, bound)
    assert verified.claims == {**expected, **({"cnf": everything.payload["cnf"]} if bound else {})}


@pytest.mark.parametrize("bound", [False, True], ids=["bare", "key-bound"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_josekit_issuer_and_holder_to_reference_verifier(case: str, bound: bool) -> None:
    _, claims, choice, expected = CASES[case]
    issued = sdjwt.issue(
        claims,
        ISSUER_KEY,
        "ES256",
        holder_key=HOLDER_KEY if bound else None,
        decoys=(1, 3),
        typ="example+sd-jwt",
    )
    kb = (
        {"holder_key": HOLDER_KEY, "alg": "ES256", "audience": AUDIENCE, "nonce": NONCE, "iat": NOW}
        if bound
        else {}
    )
    presentation = sdjwt.present(issued, _disclose(choice), **kb)
    checks = {"expected_aud": AUDIENCE, "expected_nonce": NONCE} if bound else {}
    verifier = reference_verifier.SDJWTVerifier(
        presentation, lambda iss, header: REF_ISSUER_KEY, **checks
    )
    payload = verifier.get_verified_payload()
    if bound:
        assert payload.pop("cnf") == {"jwk": HOLDER_KEY.public().to_dict()}
    assert payload == expected
    assert _josekit_verify(presentation, bound).claims == payload | (
        {"cnf": {"jwk": HOLDER_KEY.public().to_dict()}} if bound else {}
    )


def test_the_reference_verifier_refuses_a_josekit_presentation_changed_after_binding() -> None:
    _, claims, choice, _ = CASES["flat"]
    issued = sdjwt.issue(claims, ISSUER_KEY, "ES256", holder_key=HOLDER_KEY)
    presentation = sdjwt.present(
        issued, choice, holder_key=HOLDER_KEY, alg="ES256", audience=AUDIENCE, nonce=NONCE
    )
    head, kb = presentation.rsplit("~", 1)
    extra = next(d.encoded for d in sdjwt.parse(issued).disclosures if d.name == "email")
    with pytest.raises(ValueError, match="digest"):
        reference_verifier.SDJWTVerifier(
            f"{head}~{extra}~{kb}",
            lambda iss, header: REF_ISSUER_KEY,
            expected_aud=AUDIENCE,
            expected_nonce=NONCE,
        )

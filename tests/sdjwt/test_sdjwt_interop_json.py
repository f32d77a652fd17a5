"""The JWS JSON serialization (RFC 9901 §8) against the reference implementation (``sd-jwt``).

sd-jwt 0.10.4 writes the disclosures and the Key Binding JWT of a JSON SD-JWT as members of the
JWS object itself, beside ``payload``/``protected``/``signature``, and its holder computes
``sd_hash`` over that JSON text. RFC 9901 puts both in the unprotected header of the (first)
signature (§8.1) and has ``sd_hash`` cover the compact form of the issuer-signed JWT with the
disclosures (§4.3.1, §8.1). josekit follows the RFC, so neither side reads the other's JSON
SD-JWT; what the two share is tested both ways: the issuer-signed JWS and its disclosures.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import sd_jwt.holder as reference_holder
import sd_jwt.issuer as reference_issuer
import sd_jwt.verifier as reference_verifier
from jwcrypto import jwk as jwcrypto_jwk
from sd_jwt.common import SDObj

from josekit import Key, jws, sdjwt
from josekit.errors import SDJWTError
from josekit.sdjwt import SD
from josekit.sdjwt._disclosure import digest

ISSUER = "https://issuer.example"
AUDIENCE = "https://verifier.example"
NONCE = "c2f1-json-nonce"
NOW = 1_800_000_000

REF_ISSUER_KEY = jwcrypto_jwk.JWK.generate(kty="EC", crv="P-256")
REF_HOLDER_KEY = jwcrypto_jwk.JWK.generate(kty="EC", crv="P-256")
ISSUER_KEY = Key.import_key(json.loads(REF_ISSUER_KEY.export_private()))
HOLDER_KEY = Key.import_key(json.loads(REF_HOLDER_KEY.export_private()))

REFERENCE_CLAIMS = {"iss": ISSUER, SDObj("given_name"): "Ada", SDObj("email"): "ada@example.com"}
JOSEKIT_CLAIMS = {"iss": ISSUER, "given_name": SD("Ada"), "email": SD("ada@example.com")}
DISCLOSED = {"iss": ISSUER, "given_name": "Ada"}
TOP_LEVEL = ("disclosures", "kb_jwt")  # where sd-jwt 0.10.4 puts them


def _reference_issued(bound: bool) -> str:
    issuer = reference_issuer.SDJWTIssuer(
        REFERENCE_CLAIMS,
        REF_ISSUER_KEY,
        holder_key=REF_HOLDER_KEY if bound else None,
        sign_alg="ES256",
        serialization_format="json",
    )
    return str(issuer.sd_jwt_issuance)


def _reference_presented(issued: str, bound: bool) -> str:
    holder = reference_holder.SDJWTHolder(issued, serialization_format="json")
    kb: dict[str, Any] = (
        {"nonce": NONCE, "aud": AUDIENCE, "holder_key": REF_HOLDER_KEY, "sign_alg": "ES256"}
        if bound
        else {}
    )
    holder.create_presentation({"given_name": True}, **kb)
    return str(holder.sd_jwt_presentation)


def _josekit_presented(bound: bool) -> str:
    issued = sdjwt.issue(
        JOSEKIT_CLAIMS,
        ISSUER_KEY,
        "ES256",
        holder_key=HOLDER_KEY if bound else None,
        serialization="json",
    )
    kb = (
        {"holder_key": HOLDER_KEY, "alg": "ES256", "audience": AUDIENCE, "nonce": NONCE, "iat": NOW}
        if bound
        else {}
    )
    return sdjwt.present(issued, ["given_name"], **kb)


def _rfc_placement(reference_json: str) -> dict[str, Any]:
    """The reference's JSON SD-JWT with its top-level members moved where RFC 9901 §8.1 has them."""
    obj = json.loads(reference_json)
    obj["header"] = {name: obj.pop(name) for name in TOP_LEVEL if name in obj}
    return obj


def _reference_placement(josekit_json: str) -> dict[str, Any]:
    """josekit's JSON SD-JWT with its unprotected header members moved to the top level."""
    obj = json.loads(josekit_json)
    obj.update(obj.pop("header"))
    return obj


def _josekit_verify(presentation: str, bound: bool, now: int = NOW) -> sdjwt.VerifiedSDJWT:
    extra = {"kb_audience": AUDIENCE, "kb_nonce": NONCE} if bound else {}
    return sdjwt.verify(
        presentation,
        ISSUER_KEY.public(),
        algorithms=["ES256"],
        require_key_binding=bound,
        issuer=ISSUER,
        now=now,
        **extra,
    )


def _reference_verify(presentation: str, bound: bool) -> dict[str, Any]:
    checks = {"expected_aud": AUDIENCE, "expected_nonce": NONCE} if bound else {}
    verifier = reference_verifier.SDJWTVerifier(
        presentation, lambda iss, header: REF_ISSUER_KEY, serialization_format="json", **checks
    )
    payload: dict[str, Any] = verifier.get_verified_payload()
    return payload


def _b64json(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def _claims_without_cnf(claims: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in claims.items() if name != "cnf"}


BOUND = pytest.mark.parametrize("bound", [False, True], ids=["bare", "key-bound"])


@BOUND
def test_the_reference_puts_disclosures_and_kb_jwt_beside_the_jws_members(bound: bool) -> None:
    # Pinned so that a release of sd-jwt that moves them is noticed (and the guide updated).
    presented = json.loads(_reference_presented(_reference_issued(bound), bound))
    assert "header" not in presented
    assert ("kb_jwt" in presented) == bound
    assert len(presented["disclosures"]) == 1


@BOUND
def test_josekit_refuses_the_reference_json_form(bound: bool) -> None:
    presentation = _reference_presented(_reference_issued(bound), bound)
    with pytest.raises(SDJWTError, match=r"unprotected header .*RFC 9901 §8"):
        _josekit_verify(presentation, bound)
    with pytest.raises(SDJWTError, match="unprotected header"):
        sdjwt.parse(presentation)


@BOUND
def test_the_reference_verifier_refuses_the_josekit_json_form(bound: bool) -> None:
    presentation = _josekit_presented(bound)
    assert set(json.loads(presentation)["header"]) == {
        "disclosures",
        *(["kb_jwt"] if bound else []),
    }
    with pytest.raises(KeyError, match="disclosures"):
        _reference_verify(presentation, bound)


@BOUND
def test_the_reference_issuer_signed_jws_and_disclosures_verify_in_josekit(bound: bool) -> None:
    issued = _reference_issued(bound)
    bare = {k: v for k, v in json.loads(issued).items() if k not in TOP_LEVEL}
    assert jws.verify_json(bare, ISSUER_KEY.public(), algorithms=["ES256"]).payload
    # The same SD-JWT in the RFC's placement: josekit holds it, presents it and verifies it.
    rfc_form = json.dumps(_rfc_placement(issued))
    kb = (
        {"holder_key": HOLDER_KEY, "alg": "ES256", "audience": AUDIENCE, "nonce": NONCE, "iat": NOW}
        if bound
        else {}
    )
    presentation = sdjwt.present(rfc_form, ["given_name"], **kb)
    verified = _josekit_verify(presentation, bound)
    assert _claims_without_cnf(verified.claims) == DISCLOSED
    reference_view = _reference_verify(_reference_presented(issued, False), False)
    assert _claims_without_cnf(reference_view) == DISCLOSED


@BOUND
def test_the_josekit_issuer_signed_jws_and_disclosures_verify_in_the_reference(bound: bool) -> None:
    presentation = _josekit_presented(bound)
    # The reference verifies the signature, processes the disclosures and, when bound, checks
    # the KB-JWT's signature, aud and nonce. (It does not check sd_hash in its JSON mode.)
    payload = _reference_verify(json.dumps(_reference_placement(presentation)), bound)
    assert _claims_without_cnf(payload) == DISCLOSED
    assert _claims_without_cnf(_josekit_verify(presentation, bound).claims) == DISCLOSED


def test_a_reference_key_binding_over_json_covers_the_json_text_and_is_refused() -> None:
    issued = _reference_issued(True)
    presented = _reference_presented(issued, True)
    parts = json.loads(presented)
    kb_payload = _b64json(parts["kb_jwt"].split(".")[1])
    compact = f"{parts['protected']}.{parts['payload']}.{parts['signature']}"
    # RFC 9901 §8.1: sd_hash covers the compact form; the reference hashed its issued JSON text.
    assert kb_payload["sd_hash"] == digest("~".join([issued, *parts["disclosures"], ""]), "sha-256")
    assert kb_payload["sd_hash"] != digest(
        "~".join([compact, *parts["disclosures"], ""]), "sha-256"
    )
    with pytest.raises(SDJWTError, match="sd_hash"):
        _josekit_verify(json.dumps(_rfc_placement(presented)), True, now=kb_payload["iat"])

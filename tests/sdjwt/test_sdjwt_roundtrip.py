"""Issue, present and verify with josekit alone: structure, decoys, salts, JSON, the VC rules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sdjwt_helpers import (
    HOLDER_KEY,
    ISSUER,
    ISSUER_KEY,
    NONCE,
    NOW,
    VERIFIER,
    bound_options,
    disclosure,
)

from josekit import jwk, jws, sdjwt
from josekit._b64 import b64d
from josekit.errors import JoseError, SDJWTError
from josekit.sdjwt import SD

PUBLIC = ISSUER_KEY.public()
CLAIMS: dict[str, Any] = {
    "iss": ISSUER,
    "exp": NOW + 3600,
    "given_name": SD("Ada"),
    "family_name": SD("Lovelace"),
    "address": SD({"street": SD("12 St James's Sq"), "locality": SD("London"), "country": "GB"}),
    "nationalities": [SD("GB"), "IT"],
}


def _verify(presentation: str, **overrides: Any) -> sdjwt.VerifiedSDJWT:
    options: dict[str, Any] = {
        "algorithms": ["ES256"],
        "require_key_binding": False,
        "issuer": ISSUER,
        "now": NOW,
    }
    options.update(overrides)
    return sdjwt.verify(presentation, PUBLIC, **options)


def test_an_issued_sd_jwt_hides_every_marked_value_and_discloses_it_back() -> None:
    issued = sdjwt.issue(CLAIMS, ISSUER_KEY, "ES256")
    parsed = sdjwt.parse(issued)
    signed = json.dumps(parsed.payload)
    for hidden in ("Ada", "Lovelace", "London", "St James"):
        assert hidden not in signed
    assert parsed.payload["_sd_alg"] == "sha-256"
    assert parsed.payload["nationalities"][1] == "IT"
    assert set(parsed.payload["nationalities"][0]) == {"..."}
    assert _verify(issued).claims == {
        "iss": ISSUER,
        "exp": NOW + 3600,
        "given_name": "Ada",
        "family_name": "Lovelace",
        "address": {"street": "12 St James's Sq", "locality": "London", "country": "GB"},
        "nationalities": ["GB", "IT"],
    }


def test_salts_are_128_bit_and_never_repeat() -> None:
    salts = [
        d.salt
        for _ in range(20)
        for d in sdjwt.parse(sdjwt.issue(CLAIMS, ISSUER_KEY, "ES256")).disclosures
    ]
    assert len(set(salts)) == len(salts)
    assert all(len(b64d(salt)) == 16 for salt in salts)


def test_decoys_are_added_to_every_sd_array() -> None:
    parsed = sdjwt.parse(sdjwt.issue(CLAIMS, ISSUER_KEY, "ES256", decoys=3))
    assert len(parsed.payload["_sd"]) == 3 + 3  # given_name, family_name, address
    address = next(d for d in parsed.disclosures if d.name == "address")
    assert len(address.value["_sd"]) == 2 + 3
    ranged = sdjwt.parse(sdjwt.issue(CLAIMS, ISSUER_KEY, "ES256", decoys=(1, 4)))
    assert 3 + 1 <= len(ranged.payload["_sd"]) <= 3 + 4
    assert _verify(sdjwt.issue(CLAIMS, ISSUER_KEY, "ES256", decoys=5)).claims["given_name"] == "Ada"
    for bad in (-1, (3, 1), True, 10_000):
        with pytest.raises(JoseError, match="decoys"):
            sdjwt.issue(CLAIMS, ISSUER_KEY, "ES256", decoys=bad)  # type: ignore[arg-type]


def test_cnf_holds_the_holder_public_key_only() -> None:
    parsed = sdjwt.parse(sdjwt.issue(CLAIMS, ISSUER_KEY, "ES256", holder_key=HOLDER_KEY))
    assert parsed.payload["cnf"] == {"jwk": HOLDER_KEY.public().to_dict()}
    assert "d" not in parsed.payload["cnf"]["jwk"]
    with pytest.raises(SDJWTError, match="asymmetric"):
        sdjwt.issue(CLAIMS, ISSUER_KEY, "ES256", holder_key=jwk.generate("oct", size=256))


def test_reserved_names_and_misplaced_markers_are_refused_when_issuing() -> None:
    for name in ("_sd", "_sd_alg", "..."):
        with pytest.raises(SDJWTError, match="reserved"):
            sdjwt.issue({"iss": ISSUER, "x": {name: 1}}, ISSUER_KEY, "ES256")
    with pytest.raises(SDJWTError, match="marks nothing"):
        sdjwt.issue({"iss": ISSUER, "x": SD(SD(1))}, ISSUER_KEY, "ES256")
    with pytest.raises(SDJWTError, match="sd_alg"):
        sdjwt.issue(CLAIMS, ISSUER_KEY, "ES256", sd_alg="sha-256-32")


def test_a_presentation_keeps_what_was_chosen_and_what_it_depends_on() -> None:
    issued = sdjwt.issue(CLAIMS, ISSUER_KEY, "ES256")
    street_only = sdjwt.present(issued, ["address.street"])
    assert _verify(street_only).claims == {
        "iss": ISSUER,
        "exp": NOW + 3600,
        "address": {"street": "12 St James's Sq", "country": "GB"},
        "nationalities": ["IT"],
    }
    whole = _verify(sdjwt.present(issued, ["address", ("nationalities", 0)])).claims
    assert whole["address"]["locality"] == "London"
    assert whole["nationalities"] == ["GB", "IT"]
    assert "given_name" not in whole
    by_value = sdjwt.present(issued, lambda path, value: value == "Lovelace")
    assert _verify(by_value).claims["family_name"] == "Lovelace"
    assert _verify(sdjwt.present(issued, [])).claims == {
        "iss": ISSUER,
        "exp": NOW + 3600,
        "nationalities": ["IT"],
    }
    with pytest.raises(SDJWTError, match="no claim"):
        sdjwt.present(issued, ["adress"])


BINDING: dict[str, Any] = {
    "holder_key": HOLDER_KEY,
    "alg": "ES256",
    "audience": VERIFIER,
    "nonce": NONCE,
    "iat": NOW,
}


def test_present_checks_its_key_binding_options() -> None:
    issued = sdjwt.issue(CLAIMS, ISSUER_KEY, "ES256", holder_key=HOLDER_KEY)
    with pytest.raises(JoseError, match="nonce"):
        sdjwt.present(issued, ["given_name"], holder_key=HOLDER_KEY, alg="ES256", audience=VERIFIER)
    with pytest.raises(JoseError, match="holder_key"):
        sdjwt.present(issued, ["given_name"], nonce=NONCE)
    bound = sdjwt.present(issued, ["given_name"], **BINDING)
    with pytest.raises(SDJWTError, match="already"):
        sdjwt.present(bound, ["given_name"])
    unbound = sdjwt.issue(CLAIMS, ISSUER_KEY, "ES256")
    with pytest.raises(SDJWTError, match="cnf"):
        sdjwt.present(unbound, ["given_name"], **BINDING)


def test_the_json_serialization_round_trips_with_key_binding() -> None:
    issued = sdjwt.issue(
        CLAIMS,
        ISSUER_KEY,
        "ES256",
        holder_key=HOLDER_KEY,
        serialization="json",
        typ="example+sd-jwt",
    )
    document = json.loads(issued)
    assert set(document) == {"protected", "payload", "signature", "header"}
    assert len(document["header"]["disclosures"]) == 6
    presented = sdjwt.present(issued, ["given_name"], **BINDING)
    shown = json.loads(presented)
    assert len(shown["header"]["disclosures"]) == 1
    assert "kb_jwt" in shown["header"]
    verified = sdjwt.verify(presented, PUBLIC, **bound_options(typ="example+sd-jwt"))
    assert verified.claims["given_name"] == "Ada"
    assert "family_name" not in verified.claims
    shown["header"]["disclosures"] = document["header"]["disclosures"][:2]
    with pytest.raises(SDJWTError):
        sdjwt.verify(json.dumps(shown), PUBLIC, **bound_options())
    assert sdjwt.parse(issued).serialization == "json"


def test_an_sd_jwt_vc_follows_the_profile() -> None:
    vc = {"iss": ISSUER, "vct": "urn:example:pid", "given_name": SD("Ada")}
    issued = sdjwt.issue(vc, ISSUER_KEY, "ES256", typ="dc+sd-jwt", holder_key=HOLDER_KEY)
    verified = _verify(issued, typ="dc+sd-jwt", vct="urn:example:pid")
    assert verified.claims["vct"] == "urn:example:pid"
    with pytest.raises(SDJWTError, match="vct"):
        _verify(issued, typ="dc+sd-jwt", vct="urn:example:other")
    with pytest.raises(JoseError, match="typ='dc\\+sd-jwt'"):
        _verify(issued, vct="urn:example:pid")
    with pytest.raises(SDJWTError, match="typ"):
        _verify(issued, typ="vc+sd-jwt")
    for name in ("iss", "vct", "exp", "status"):
        with pytest.raises(SDJWTError, match="must not make"):
            sdjwt.issue({**vc, name: SD("x")}, ISSUER_KEY, "ES256", typ="dc+sd-jwt")
    with pytest.raises(SDJWTError, match="vct"):
        sdjwt.issue({"iss": ISSUER}, ISSUER_KEY, "ES256", typ="dc+sd-jwt")


def test_an_sd_jwt_vc_with_a_disclosed_validity_claim_or_no_cnf_is_refused() -> None:
    exp, exp_digest = disclosure("salt-1", "exp", NOW + 10)
    payload = {"iss": ISSUER, "vct": "urn:example:pid", "_sd": [exp_digest]}
    typed = jws.sign(json.dumps(payload).encode(), ISSUER_KEY, "ES256", header={"typ": "dc+sd-jwt"})
    with pytest.raises(SDJWTError, match="forbids"):
        _verify(f"{typed}~{exp}~", typ="dc+sd-jwt")
    plain = {"iss": ISSUER, "vct": "urn:example:pid"}
    head = jws.sign(json.dumps(plain).encode(), ISSUER_KEY, "ES256", header={"typ": "dc+sd-jwt"})
    kb = jws.sign(b"{}", HOLDER_KEY, "ES256", header={"typ": "kb+jwt"})
    with pytest.raises(SDJWTError, match="cnf"):
        sdjwt.verify(f"{head}~{kb}", PUBLIC, **bound_options(typ="dc+sd-jwt"))

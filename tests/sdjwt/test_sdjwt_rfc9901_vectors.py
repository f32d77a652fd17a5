"""RFC 9901's examples (its appendix as printed in draft-22, A.3 as an SD-JWT VC): parsing
reproduces the disclosures, verifying the processed payloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from josekit import Key, sdjwt
from josekit.errors import SDJWTError
from josekit.sdjwt._disclosure import digest

VECTORS = json.loads(
    (Path(__file__).parent.parent / "vectors" / "sdjwt" / "rfc9901.json").read_text("utf-8")
)
ISSUER = Key.import_key(VECTORS["issuer_public_jwk"])
HOLDER = Key.import_key(VECTORS["holder_public_jwk"])
PRESENTATIONS = VECTORS["presentations"]
ISSUED = VECTORS["issued"][0]


def _options(vector: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """verify() options for a vector: its typ, and its key binding's audience, nonce, time."""
    kb = vector["key_binding"]
    options: dict[str, Any] = {
        "algorithms": ["ES256"],
        "typ": vector["typ"],
        "require_key_binding": kb is not None,
        "now": kb["iat"] if kb else 1_700_000_000,
    }
    if kb:
        options.update(kb_audience=kb["audience"], kb_nonce=kb["nonce"])
    options.update(overrides)
    return options


def _verify(vector: dict[str, Any], **overrides: Any) -> sdjwt.VerifiedSDJWT:
    return sdjwt.verify(vector["presentation"], ISSUER, **_options(vector, **overrides))


def test_the_section_4_2_3_digest_is_reproduced() -> None:
    example = VECTORS["digest_example"]
    assert digest(example["disclosure"], "sha-256") == example["sha-256"]
    parsed = sdjwt.parse(f"{ISSUED['sd_jwt'].split('~')[0]}~")
    assert parsed.disclosures == ()


@pytest.mark.parametrize("vector", PRESENTATIONS, ids=[v["title"] for v in PRESENTATIONS])
def test_each_presentation_gives_the_documented_processed_payload(vector: dict[str, Any]) -> None:
    verified = _verify(vector)
    assert verified.claims == vector["processed"]
    assert verified.key is ISSUER
    assert (verified.holder_key is not None) == (vector["key_binding"] is not None)
    if verified.holder_key is not None:
        assert verified.holder_key.thumbprint() == HOLDER.thumbprint()
        assert verified.kb_claims is not None
        assert verified.kb_claims["iat"] == vector["key_binding"]["iat"]


def test_the_section_5_2_kb_jwt_covers_the_documented_sd_hash() -> None:
    vector = PRESENTATIONS[0]
    verified = _verify(vector)
    assert verified.kb_claims is not None
    assert verified.kb_claims["sd_hash"] == vector["sd_hash"]
    head = vector["presentation"][: vector["presentation"].rindex("~") + 1]
    assert digest(head, "sha-256") == vector["sd_hash"]


def test_parsing_the_issued_sd_jwt_reproduces_its_disclosures() -> None:
    parsed = sdjwt.parse(ISSUED["sd_jwt"])
    expected = ISSUED["disclosures"]
    assert [d.encoded for d in parsed.disclosures] == [e["disclosure"] for e in expected]
    for found, listed in zip(parsed.disclosures, expected, strict=True):
        assert found.digest == listed["sha-256"]
        assert [found.salt, *([] if found.name is None else [found.name]), found.value] == (
            listed["contents"]
        )
        assert found.name == listed["claim"]
    paths = {d.path for d in parsed.disclosures}
    assert ("address",) in paths
    assert {("nationalities", 0), ("nationalities", 1)} <= paths
    assert parsed.claims["nationalities"] == ["US", "DE"]
    assert parsed.sd_alg == "sha-256"
    assert parsed.header["typ"] == "example+sd-jwt"


def test_the_issued_sd_jwt_verifies_with_every_claim() -> None:
    verified = sdjwt.verify(
        ISSUED["sd_jwt"],
        ISSUER,
        algorithms=["ES256"],
        require_key_binding=False,
        typ=ISSUED["typ"],
        now=1_700_000_000,
    )
    for entry in ISSUED["disclosures"]:
        if entry["claim"] is not None:
            assert verified.claims[entry["claim"]] == entry["contents"][2]
    assert "_sd" not in verified.claims
    assert "_sd_alg" not in verified.claims


def test_the_rfc_presentations_refuse_what_the_verifier_did_not_ask_for() -> None:
    bound = PRESENTATIONS[0]
    with pytest.raises(SDJWTError, match="require_key_binding=False"):
        _verify(bound, require_key_binding=False, kb_audience=None, kb_nonce=None)
    with pytest.raises(SDJWTError, match="no Key Binding JWT"):
        sdjwt.verify(
            ISSUED["sd_jwt"],
            ISSUER,
            algorithms=["ES256"],
            require_key_binding=True,
            kb_audience="https://verifier.example.org",
            kb_nonce="1234567890",
            now=1_700_000_000,
        )
    with pytest.raises(SDJWTError, match="stale"):
        _verify(bound, now=bound["key_binding"]["iat"] + 301)
    with pytest.raises(SDJWTError, match="typ"):
        _verify(PRESENTATIONS[1], typ="dc+sd-jwt")


JSON_FORMS = VECTORS["json_serialization"]


@pytest.mark.parametrize("vector", JSON_FORMS, ids=[v["title"] for v in JSON_FORMS])
def test_each_json_serialization_example_verifies(vector: dict[str, Any]) -> None:
    kb = vector["key_binding"]
    verified = sdjwt.verify(json.dumps(vector["sd_jwt"]), ISSUER, **_options(vector))
    names = {"sub", "given_name", "family_name", "birthdate"}
    assert names & set(verified.claims) == set(vector["disclosed"])
    assert verified.claims["iss"] == "https://issuer.example.com"
    assert [d.name for d in verified.disclosures] == vector["disclosed"]
    parsed = sdjwt.parse(json.dumps(vector["sd_jwt"]))
    assert parsed.serialization == "json"
    assert (parsed.key_binding_jwt is not None) == (kb is not None)


def test_the_json_sd_hash_covers_the_compact_form_of_the_first_signature() -> None:
    general = JSON_FORMS[2]["sd_jwt"]
    first = general["signatures"][0]
    compact = "~".join(
        [
            f"{first['protected']}.{general['payload']}.{first['signature']}",
            *first["header"]["disclosures"],
            "",
        ]
    )
    verified = sdjwt.verify(
        json.dumps(general),
        ISSUER,
        algorithms=["ES256"],
        require_key_binding=True,
        kb_audience="https://verifier.example.org",
        kb_nonce="1234567890",
        now=1748537244,
    )
    assert verified.kb_claims is not None
    assert verified.kb_claims["sd_hash"] == digest(compact, "sha-256")
    moved = json.loads(json.dumps(general))  # a copy: the vector stays as published
    signatures = moved["signatures"]
    signatures[1]["header"]["disclosures"] = signatures[0]["header"].pop("disclosures")
    with pytest.raises(SDJWTError, match="disclosures"):
        sdjwt.verify(json.dumps(moved), ISSUER, algorithms=["ES256"], require_key_binding=False)


def test_every_vector_names_its_source() -> None:
    everything = [
        VECTORS["digest_example"],
        *VECTORS["issued"],
        *PRESENTATIONS,
        *JSON_FORMS,
        *VECTORS["vc"],
    ]
    assert all(vector["source"].startswith(("RFC 9901 ", "draft-ietf-")) for vector in everything)


VC = VECTORS["vc"][0]


def _verify_vc(sd_jwt: str, **overrides: Any) -> sdjwt.VerifiedSDJWT:
    """Appendix A.3 as an SD-JWT VC: its typ ``dc+sd-jwt`` and its ``vct`` required."""
    kb = VC["key_binding"]
    options: dict[str, Any] = {
        "algorithms": ["ES256"],
        "typ": VC["typ"],
        "vct": VC["vct"],
        "issuer": VC["payload"]["iss"],
        "require_key_binding": True,
        "kb_audience": kb["audience"],
        "kb_nonce": kb["nonce"],
        "now": kb["iat"],
    }
    options.update(overrides)
    return sdjwt.verify(sd_jwt, ISSUER, **options)


def test_parsing_the_appendix_a3_credential_reproduces_its_disclosures_and_digests() -> None:
    parsed = sdjwt.parse(VC["issued"])
    assert parsed.header == {"alg": "ES256", "typ": "dc+sd-jwt"}
    assert parsed.payload == VC["payload"]
    listed = VC["disclosures"]
    assert [d.encoded for d in parsed.disclosures] == [e["disclosure"] for e in listed]
    for found, entry in zip(parsed.disclosures, listed, strict=True):
        assert found.digest == entry["sha-256"] == digest(entry["disclosure"], "sha-256")
        assert found.name == entry["claim"]
        assert [found.salt, found.name, found.value] == entry["contents"]
    # Recursive: address, place_of_birth and age_equal_or_over hide their own members.
    paths = {d.path for d in parsed.disclosures}
    assert {("address", "street_address"), ("place_of_birth", "country")} <= paths
    assert ("age_equal_or_over", "18") in paths
    assert parsed.claims == VC["input_claims"] | {
        "iat": VC["payload"]["iat"],
        "exp": VC["payload"]["exp"],
        "cnf": VC["payload"]["cnf"],
    }


def test_the_issued_appendix_a3_credential_verifies_as_an_sd_jwt_vc() -> None:
    verified = _verify_vc(VC["issued"], require_key_binding=False, kb_audience=None, kb_nonce=None)
    assert verified.claims == sdjwt.parse(VC["issued"]).claims
    assert verified.claims["vct"] == "urn:eudi:pid:de:1"
    assert len(verified.disclosures) == len(VC["disclosures"])


def test_the_appendix_a3_presentation_gives_the_documented_processed_payload() -> None:
    verified = _verify_vc(VC["presentation"])
    assert verified.claims == VC["processed"]
    assert [d.path for d in verified.disclosures] == [
        ("age_equal_or_over",),
        ("age_equal_or_over", "18"),
        ("nationalities",),
    ]
    assert verified.holder_key is not None
    assert verified.holder_key.thumbprint() == HOLDER.thumbprint()
    assert verified.kb_claims is not None
    assert verified.kb_claims["sd_hash"] == VC["sd_hash"]
    head = VC["presentation"][: VC["presentation"].rindex("~") + 1]
    assert digest(head, "sha-256") == VC["sd_hash"]


def test_the_appendix_a3_presentation_is_refused_as_another_type_or_credential() -> None:
    with pytest.raises(SDJWTError, match="vct"):
        _verify_vc(VC["presentation"], vct="urn:eudi:pid:at:1")
    with pytest.raises(SDJWTError, match="typ"):
        _verify_vc(VC["presentation"], typ="example+sd-jwt", vct=None)
    with pytest.raises(SDJWTError, match="typ"):
        # The presentations of Section 5 and Appendix A.1, A.2, A.4 are not SD-JWT VCs.
        _verify(PRESENTATIONS[0], typ=VC["typ"], vct=VC["vct"])

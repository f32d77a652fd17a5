"""JSON serialization rules, the token kind, key selection from key sets, and the public API."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from josekit import Key, KeySet, Limits, errors, jwe, jwk, jws
from josekit._b64 import b64d, b64e_str

HS = jwk.generate("oct", size=256, kid="hs")
EC = jwk.generate("EC", crv="P-256", kid="ec")
ED = jwk.generate("OKP", crv="Ed25519", kid="ed")


def _flat(**members: Any) -> dict[str, Any]:
    obj = jws.sign_json(b"payload", [jws.Signer(HS, "HS256")], flattened=True)
    obj.update(members)
    return obj


# -- structure ------------------------------------------------------------------------------


def test_general_and_flattened_forms() -> None:
    general = jws.sign_json(b"payload", [jws.Signer(HS, "HS256"), jws.Signer(EC, "ES256")])
    assert sorted(general) == ["payload", "signatures"]
    assert [sorted(s) for s in general["signatures"]] == [["header", "protected", "signature"]] * 2
    assert general["signatures"][0]["header"] == {"kid": "hs"}
    flat = jws.sign_json(b"payload", [jws.Signer(HS, "HS256")], flattened=True)
    assert sorted(flat) == ["header", "payload", "protected", "signature"]
    for obj in (general, flat, json.dumps(general), json.dumps(flat).encode()):
        assert jws.verify_json(obj, HS, algorithms=["HS256"]).payload == b"payload"


@pytest.mark.parametrize(
    "extra",
    [{"unknown": 1}, {"protected": "eyJhbGciOiJIUzI1NiJ9"}, {"signature": "AAAA"}, {"header": {}}],
    ids=["unknown", "protected", "signature", "header"],
)
def test_general_form_allows_payload_and_signatures_only(extra: dict[str, Any]) -> None:
    obj = jws.sign_json(b"payload", [jws.Signer(HS, "HS256")])
    obj.update(extra)
    with pytest.raises(errors.MalformedError, match="unexpected members"):
        jws.verify_json(obj, HS, algorithms=["HS256"])


def test_flattened_form_refuses_unknown_members() -> None:
    with pytest.raises(errors.MalformedError, match="unexpected members"):
        jws.verify_json(_flat(unknown="x"), HS, algorithms=["HS256"])


def test_wycheproof_style_untrusted_members_in_a_signature_are_refused() -> None:
    obj = jws.sign_json(b"payload", [jws.Signer(HS, "HS256")])
    obj["signatures"][0]["extra"] = "untrustworthy"
    with pytest.raises(errors.MalformedError, match="unexpected members"):
        jws.verify_json(obj, HS, algorithms=["HS256"])


@pytest.mark.parametrize(
    "obj",
    [
        {"payload": "eA"},
        {"payload": "eA", "signatures": []},
        {"payload": "eA", "signatures": {}},
        {"payload": "eA", "signatures": ["x"]},
        {"payload": "eA", "signatures": [{}]},
        {"payload": "eA", "signatures": [{"protected": "eyJhbGciOiJIUzI1NiJ9"}]},
        {"payload": "eA", "signatures": [{"protected": 1, "signature": ""}]},
        {"payload": "eA", "signatures": [{"protected": "", "signature": ""}]},
        {"payload": "eA", "signatures": [{"header": [], "signature": ""}]},
        {"payload": "eA", "signatures": [{"header": {}, "signature": ""}]},
        {"payload": 1, "protected": "eyJhbGciOiJIUzI1NiJ9", "signature": ""},
        {"protected": "eyJhbGciOiJIUzI1NiJ9", "signature": ""},
    ],
    ids=[
        "no-signature",
        "empty-signatures",
        "signatures-object",
        "signature-not-object",
        "empty-signature-object",
        "no-signature-member",
        "protected-not-string",
        "protected-empty",
        "header-not-object",
        "no-header-at-all",
        "payload-not-string",
        "no-payload",
    ],
)
def test_malformed_json_serializations(obj: dict[str, Any]) -> None:
    with pytest.raises(errors.MalformedError):
        jws.verify_json(obj, HS, algorithms=["HS256"])


@pytest.mark.parametrize("text", ["[]", '"jws"', "{", '{"payload":"eA","payload":"eA"}', "\xff"])
def test_json_text_must_be_one_strict_object(text: str) -> None:
    with pytest.raises(errors.MalformedError):
        jws.verify_json(text, HS, algorithms=["HS256"])


def test_duplicate_members_in_an_unprotected_header_text_are_refused() -> None:
    obj = _flat()
    text = json.dumps(obj).replace('"header": {', '"header": {"kid": "x", ', 1)
    with pytest.raises(errors.MalformedError, match="duplicate"):
        jws.verify_json(text, HS, algorithms=["HS256"])


def test_protected_and_unprotected_headers_must_be_disjoint() -> None:
    with pytest.raises(errors.InvalidHeaderError, match="disjoint"):
        jws.verify_json(_flat(header={"alg": "HS256"}), HS, algorithms=["HS256"])
    with pytest.raises(errors.InvalidHeaderError, match="disjoint"):
        jws.sign_json(b"x", [jws.Signer(HS, "HS256", protected={"x": 1}, header={"x": 2})])
    # Names are compared exactly: "ALG" is another (unregistered) parameter.
    assert jws.verify_json(_flat(header={"ALG": "none"}), HS, algorithms=["HS256"])


def test_alg_is_always_protected_by_sign_json() -> None:
    with pytest.raises(errors.InvalidHeaderError, match="protected"):
        jws.sign_json(b"x", [jws.Signer(HS, "HS256", header={"alg": "HS256"})])


def test_unprotected_header_size_is_bounded() -> None:
    obj = _flat(header={"note": "n" * 9000})
    with pytest.raises(errors.LimitExceededError, match="unprotected"):
        jws.verify_json(obj, HS, algorithms=["HS256"])
    assert jws.verify_json(obj, HS, algorithms=["HS256"], limits=Limits(max_header_size=10_000))


def test_too_many_signatures() -> None:
    obj = jws.sign_json(b"payload", [jws.Signer(HS, "HS256")] * 4)
    with pytest.raises(errors.LimitExceededError, match="signatures"):
        jws.verify_json(obj, HS, algorithms=["HS256"], limits=Limits(max_signatures=3))
    assert jws.verify_json(obj, HS, algorithms=["HS256"], limits=Limits(max_signatures=4))


def test_json_size_limit() -> None:
    text = json.dumps(jws.sign_json(b"p" * 1000, [jws.Signer(HS, "HS256")]))
    with pytest.raises(errors.LimitExceededError):
        jws.verify_json(text, HS, algorithms=["HS256"], limits=Limits(max_token_size=1000))


def test_detached_payload_rules() -> None:
    obj = jws.sign_json(b"payload", [jws.Signer(HS, "HS256")], detached=True)
    assert "payload" not in obj
    with pytest.raises(errors.MalformedError, match="payload"):
        jws.verify_json(obj, HS, algorithms=["HS256"])
    assert jws.verify_json(obj, HS, algorithms=["HS256"], detached_payload="payload")
    with pytest.raises(errors.InvalidSignatureError):
        jws.verify_json(obj, HS, algorithms=["HS256"], detached_payload=b"other")
    attached = jws.sign_json(b"payload", [jws.Signer(HS, "HS256")])
    with pytest.raises(errors.MalformedError, match="detached"):
        jws.verify_json(attached, HS, algorithms=["HS256"], detached_payload=b"payload")
    token = jws.sign(b"payload", HS, "HS256")
    with pytest.raises(errors.MalformedError, match="detached"):
        jws.verify(token, HS, algorithms=["HS256"], detached_payload=b"payload")


def test_headers_of_a_failed_signature_never_reach_the_result() -> None:
    good = jws.Signer(EC, "ES256", header={"note": "from the good signature"})
    obj = jws.sign_json(b"payload", [jws.Signer(HS, "HS256", header={"evil": 1}), good])
    obj["signatures"][0]["signature"] = obj["signatures"][0]["signature"][::-1]
    result = jws.verify_json(obj, KeySet([EC.public(), ED.public()]), algorithms=["ES256"])
    assert result.header == {"alg": "ES256", "kid": "ec", "note": "from the good signature"}
    assert result.protected_header == {"alg": "ES256"}
    assert result.key is not None
    assert result.key.kid == "ec"


def test_when_no_signature_verifies_the_error_says_so() -> None:
    obj = jws.sign_json(b"payload", [jws.Signer(EC, "ES256"), jws.Signer(ED, "EdDSA")])
    other = jwk.generate("EC", crv="P-256")
    with pytest.raises(errors.InvalidSignatureError):
        jws.verify_json(obj, other.public(), algorithms=["ES256", "EdDSA"])
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jws.verify_json(obj, EC.public(), algorithms=["RS256"])


# -- the token kind -------------------------------------------------------------------------


def test_a_jwe_given_to_verify_is_malformed() -> None:
    token = jwe.encrypt(b"secret", jwk.generate("oct", size=128), "A128KW", "A128GCM")
    assert token.count(".") == 4
    with pytest.raises(errors.MalformedError, match="JWE"):
        jws.verify(token, HS, algorithms=["HS256"])
    with pytest.raises(errors.MalformedError, match="JWE"):
        jws.verify("a.b.c.d.e", HS, algorithms=["HS256"])


def test_json_given_to_verify_and_compact_given_to_verify_json() -> None:
    obj = jws.sign_json(b"payload", [jws.Signer(HS, "HS256")], flattened=True)
    with pytest.raises(errors.MalformedError, match="verify_json"):
        jws.verify(json.dumps(obj), HS, algorithms=["HS256"])
    with pytest.raises(errors.MalformedError, match=r"jws\.verify\(\)"):
        jws.verify_json(jws.sign(b"payload", HS, "HS256"), HS, algorithms=["HS256"])


@pytest.mark.parametrize("token", ["", ".", "a.b", "a.b.c.d", "...."])
def test_wrong_number_of_parts(token: str) -> None:
    with pytest.raises(errors.MalformedError, match="three parts"):
        jws.verify(token, HS, algorithms=["HS256"])


def test_bytes_tokens_are_accepted_and_non_ascii_is_malformed() -> None:
    token = jws.sign(b"payload", HS, "HS256")
    assert jws.verify(token.encode(), HS, algorithms=["HS256"]).payload == b"payload"
    h64, p64, s64 = token.split(".")
    for bad in (f"{h64}.\u00e9{p64}.{s64}", f"{h64}.{p64}.{s64}\u00e9"):
        with pytest.raises(errors.MalformedError, match="ASCII"):
            jws.verify(bad, HS, algorithms=["HS256"])
        with pytest.raises(errors.MalformedError, match="ASCII"):
            jws.verify(bad.encode("utf-8"), HS, algorithms=["HS256"])


# -- key sets and resolvers -----------------------------------------------------------------


def test_key_set_selects_by_kid() -> None:
    first = jwk.generate("oct", size=256, kid="first")
    second = jwk.generate("oct", size=256, kid="second")
    keys = KeySet([first, second])
    token = jws.sign(b"x", second, "HS256")
    assert jws.verify(token, keys, algorithms=["HS256"]).key is second
    with pytest.raises(errors.KeyNotFoundError, match="third"):
        jws.verify(
            jws.sign(b"x", jwk.generate("oct", size=256, kid="third"), "HS256"),
            keys,
            algorithms=["HS256"],
        )


def test_key_set_selects_by_alg_without_kid() -> None:
    ec = jwk.generate("EC", crv="P-256")
    ed = jwk.generate("OKP", crv="Ed25519")
    keys = KeySet([ed.public(), ec.public()])
    assert jws.verify(jws.sign(b"x", ec, "ES256"), keys, algorithms=["ES256"]).key == ec.public()
    assert jws.verify(jws.sign(b"x", ed, "EdDSA"), keys, algorithms=["EdDSA"]).key == ed.public()
    with pytest.raises(errors.KeyNotFoundError):
        jws.verify(
            jws.sign(b"x", jwk.generate("EC", crv="P-384"), "ES384"), keys, algorithms=["ES384"]
        )


def test_key_set_tries_every_fitting_key_without_kid() -> None:
    keys = [jwk.generate("EC", crv="P-256") for _ in range(3)]
    token = jws.sign(b"x", keys[2], "ES256")
    found = jws.verify(token, KeySet([k.public() for k in keys]), algorithms=["ES256"])
    assert found.key == keys[2].public()
    with pytest.raises(errors.InvalidSignatureError):
        jws.verify(token, KeySet([k.public() for k in keys[:2]]), algorithms=["ES256"])


def test_key_set_kid_of_a_key_that_does_not_fit() -> None:
    ec = jwk.generate("EC", crv="P-256", kid="shared")
    ed = jwk.generate("OKP", crv="Ed25519", kid="shared")
    token = jws.sign(b"x", ec, "ES256")
    with pytest.raises(errors.KeyNotFoundError):
        jws.verify(token, KeySet([ed.public()]), algorithms=["ES256"])


def test_key_set_respects_key_alg_and_use() -> None:
    rsa = jwk.generate("RSA", size=2048)
    pinned = Key.import_key({**rsa.public().to_dict(), "alg": "RS256"})
    encryption = Key.import_key({**rsa.public().to_dict(), "use": "enc"})
    token = jws.sign(b"x", rsa, "PS256")
    with pytest.raises(errors.KeyNotFoundError):
        jws.verify(token, KeySet([pinned]), algorithms=["PS256"])
    with pytest.raises(errors.KeyNotFoundError):
        jws.verify(token, KeySet([encryption]), algorithms=["PS256"])


class _Resolver:
    """A caller's own resolver: any object with candidates(header, operation)."""

    def __init__(self, keys: Mapping[str, Key]) -> None:
        self.keys = keys
        self.seen: list[dict[str, Any]] = []

    def candidates(self, header: Mapping[str, Any], operation: str) -> Sequence[Key]:
        self.seen.append(dict(header))
        assert operation == "verify"
        key = self.keys.get(str(header.get("kid")))
        if key is None:
            raise errors.KeyNotFoundError("unknown kid")
        return [key]


def test_custom_resolver() -> None:
    resolver = _Resolver({"ec": EC.public()})
    token = jws.sign(b"x", EC, "ES256")
    assert jws.verify(token, resolver, algorithms=["ES256"]).key is resolver.keys["ec"]
    assert resolver.seen == [{"alg": "ES256", "kid": "ec"}]
    with pytest.raises(errors.KeyNotFoundError):
        jws.verify(jws.sign(b"x", ED, "EdDSA"), resolver, algorithms=["EdDSA"])


def test_resolver_returning_something_else_than_keys() -> None:
    class Broken:
        def candidates(self, header: Mapping[str, Any], operation: str) -> Sequence[Any]:
            return ["not a key"]

    with pytest.raises(errors.InvalidKeyError, match="resolver"):
        jws.verify(jws.sign(b"x", EC, "ES256"), Broken(), algorithms=["ES256"])  # type: ignore[arg-type]


# -- public API -----------------------------------------------------------------------------


def test_public_names() -> None:
    assert jws.__all__ == [
        "Signer",
        "UnsecuredJWS",
        "VerifiedJWS",
        "decode_unsecured",
        "encode_unsecured",
        "sign",
        "sign_async",
        "sign_json",
        "sign_json_async",
        "unverified_header",
        "verify",
        "verify_json",
    ]


def test_result_is_immutable_and_payload_is_bytes() -> None:
    result = jws.verify(jws.sign("text payload", HS, "HS256"), HS, algorithms=["HS256"])
    assert result.payload == b"text payload"
    assert isinstance(result.payload, bytes)
    with pytest.raises(AttributeError):
        result.payload = b"other"  # type: ignore[misc]
    assert result == jws.VerifiedJWS(
        b"text payload", {"alg": "HS256", "kid": "hs"}, HS, {"alg": "HS256", "kid": "hs"}
    )


def test_results_never_share_a_header() -> None:
    token = jws.sign(b"x", HS, "HS256")
    first = jws.verify(token, HS, algorithms=["HS256"])
    first.header["alg"] = "none"
    first.header["injected"] = True
    second = jws.verify(token, HS, algorithms=["HS256"])
    assert second.header == {"alg": "HS256", "kid": "hs"}


def test_sign_header_rules() -> None:
    h64 = jws.sign(b"x", HS, "HS256", header={"kid": "override"}).split(".")[0]
    assert b64d(h64) == b'{"alg":"HS256","kid":"override"}'  # compact JSON, alg first
    with pytest.raises(errors.InvalidHeaderError, match="contradicts"):
        jws.sign(b"x", HS, "HS256", header={"alg": "HS512"})
    with pytest.raises(errors.InvalidHeaderError, match="mapping"):
        jws.sign(b"x", HS, "HS256", header=[("typ", "JWT")])  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidHeaderError, match="strings"):
        jws.sign(b"x", HS, "HS256", header={1: "one"})  # type: ignore[dict-item]
    with pytest.raises(errors.MalformedError, match="JSON"):
        jws.sign(b"x", HS, "HS256", header={"x": object()})
    with pytest.raises(errors.MalformedError, match="payload"):
        jws.sign(12, HS, "HS256")  # type: ignore[arg-type]
    with pytest.raises(errors.UnsupportedAlgorithmError):
        jws.sign(b"x", HS, "HS1")
    with pytest.raises(errors.InvalidKeyError, match="Key"):
        jws.sign(b"x", b"secret" * 8, "HS256")  # type: ignore[arg-type]


def test_sign_json_signer_rules() -> None:
    with pytest.raises(errors.InvalidHeaderError, match="at least one"):
        jws.sign_json(b"x", [])
    with pytest.raises(errors.InvalidHeaderError, match="list"):
        jws.sign_json(b"x", None)  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidKeyError, match="Signer"):
        jws.sign_json(b"x", [HS])  # type: ignore[list-item]
    with pytest.raises(errors.InvalidHeaderError, match="exactly one"):
        jws.sign_json(b"x", [jws.Signer(HS, "HS256")] * 2, flattened=True)
    with pytest.raises(errors.MalformedError, match="JSON"):
        jws.sign_json(b"x", [jws.Signer(HS, "HS256", header={"x": object()})])


def test_kid_placement() -> None:
    compact = jws.verify(jws.sign(b"x", HS, "HS256"), HS, algorithms=["HS256"])
    assert compact.protected_header == {"alg": "HS256", "kid": "hs"}
    flat = jws.sign_json(b"x", [jws.Signer(HS, "HS256")], flattened=True)
    assert flat["header"] == {"kid": "hs"}
    protected = jws.sign_json(
        b"x", [jws.Signer(HS, "HS256", protected={"kid": "p"})], flattened=True
    )
    assert "header" not in protected


def test_odd_payload_and_token_types() -> None:
    with pytest.raises(errors.MalformedError, match="Unicode"):
        jws.sign("\ud800", HS, "HS256")
    token = jws.sign(bytearray(b"payload"), HS, "HS256")
    assert jws.verify(token, HS, algorithms=["HS256"]).payload == b"payload"
    assert jws.verify(memoryview(token.encode()), HS, algorithms=["HS256"]).payload == b"payload"
    with pytest.raises(errors.MalformedError, match="str"):
        jws.verify(12, HS, algorithms=["HS256"])  # type: ignore[arg-type]
    with pytest.raises(errors.MalformedError, match="JWS JSON object"):
        jws.verify_json([], HS, algorithms=["HS256"])  # type: ignore[arg-type]


def test_json_payload_rules() -> None:
    unencoded = jws.Signer(HS, "HS256", protected={"b64": False, "crit": ["b64"]})
    obj = jws.sign_json("text", [unencoded], flattened=True)
    obj["payload"] = "\ud800"
    with pytest.raises(errors.MalformedError, match="Unicode"):
        jws.verify_json(obj, HS, algorithms=["HS256"], unencoded_payload=True)
    encoded = _flat(payload="\u00e9A")
    with pytest.raises(errors.MalformedError, match="base64url"):
        jws.verify_json(encoded, HS, algorithms=["HS256"])


def test_unsecured_tokens_from_josekit_carry_no_extensions() -> None:
    for header in ({"crit": ["exp"], "exp": 1}, {"b64": False}):
        with pytest.raises(errors.InvalidHeaderError):
            jws.encode_unsecured(b"x", header=header)


def test_key_set_without_a_fitting_key_says_why_the_first_was_refused() -> None:
    short = Key.import_key({"kty": "oct", "k": b64e_str(b"s" * 16)})  # 128 bits < HS256's 256
    token = jws.sign(b"x", jwk.generate("oct", size=256), "HS256")
    with pytest.raises(
        errors.KeyNotFoundError, match=r"HS256.*at least 256 bits; this one has 128"
    ):
        jws.verify(token, KeySet([short]), algorithms=["HS256"])
    with pytest.raises(errors.KeyNotFoundError, match="at least 256 bits"):
        jws.verify_json(jws_json_of(token), KeySet([short]), algorithms=["HS256"])
    # The first candidate's reason is the one given, whatever the others' reasons are.
    shorter = Key.import_key({"kty": "oct", "k": b64e_str(b"t" * 12)})
    with pytest.raises(errors.KeyNotFoundError, match="this one has 96") as info:
        jws.verify(token, KeySet([shorter, short]), algorithms=["HS256"])
    assert "128" not in str(info.value)


def jws_json_of(compact: str) -> dict[str, str]:
    h64, p64, s64 = compact.split(".")
    return {"protected": h64, "payload": p64, "signature": s64}

"""Property tests: sign-then-verify round trips and tamper detection, for every algorithm and
every serialization (compact, compact detached, compact b64=false, flattened, general with
several signatures, JSON detached, JSON b64=false). Keys are generated once per module."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from josekit import Key, KeySet, errors, jwk, jws
from josekit.algorithms import SIGNATURE_ALGORITHMS

_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_UNENCODED = {"b64": False, "crit": ["b64"]}

_RSA = jwk.generate("RSA", size=2048)
_KEYS: dict[str, Key] = {
    "HS256": jwk.generate("oct", size=256),
    "HS384": jwk.generate("oct", size=384),
    "HS512": jwk.generate("oct", size=512),
    **{alg: _RSA for alg in ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")},
    "ES256": jwk.generate("EC", crv="P-256"),
    "ES384": jwk.generate("EC", crv="P-384"),
    "ES512": jwk.generate("EC", crv="P-521"),
    "ES256K": jwk.generate("EC", crv="secp256k1"),
    "EdDSA": jwk.generate("OKP", crv="Ed25519"),
    "EdDSA/Ed448": jwk.generate("OKP", crv="Ed448"),
    "Ed25519": jwk.generate("OKP", crv="Ed25519"),
    "Ed448": jwk.generate("OKP", crv="Ed448"),
}
CASES = sorted(_KEYS)
_CLASSIC = frozenset(name.split("/")[0] for name in CASES)


def test_every_classical_algorithm_is_covered() -> None:
    # ML-DSA rows (RFC 9964) have their own tests; every other JWS algorithm is here.
    families = {name: SIGNATURE_ALGORITHMS[name].family for name in SIGNATURE_ALGORITHMS}
    assert {name for name, family in families.items() if family != "ML-DSA"} == _CLASSIC


def _alg(case: str) -> str:
    return case.split("/")[0]


def _verifier(case: str) -> Key:
    key = _KEYS[case]
    return key if key.is_symmetric else key.public()


_ascii_no_dot = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E, blacklist_characters="."),
    max_size=60,
)
_utf8_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),  # no lone surrogates
    max_size=60,
)


def _produce(case: str, form: str, payload: bytes) -> tuple[Any, dict[str, Any]]:
    """(token or JSON object, keyword arguments for verifying it)."""
    alg, key = _alg(case), _KEYS[case]
    if form == "compact":
        return jws.sign(payload, key, alg), {}
    if form == "compact-detached":
        return jws.sign(payload, key, alg, detached=True), {"detached_payload": payload}
    if form == "compact-b64false":
        return jws.sign(payload, key, alg, header=_UNENCODED), {"unencoded_payload": True}
    if form == "compact-b64false-detached":
        token = jws.sign(payload, key, alg, header=_UNENCODED, detached=True)
        return token, {"unencoded_payload": True, "detached_payload": payload}
    signer = jws.Signer(key, alg, header={"x-note": "unprotected"})
    if form == "flattened":
        return jws.sign_json(payload, [signer], flattened=True), {}
    if form == "general":
        # A second signature, by another key, that this verifier cannot use.
        other_alg = "HS256" if alg == "ES256" else "ES256"
        other = jws.Signer(_KEYS[other_alg], other_alg)
        return jws.sign_json(payload, [other, signer]), {}
    if form == "json-detached":
        return jws.sign_json(payload, [signer], detached=True), {"detached_payload": payload}
    if form == "json-b64false":
        b64_signer = jws.Signer(key, alg, protected=_UNENCODED)
        return jws.sign_json(payload, [b64_signer]), {"unencoded_payload": True}
    raise AssertionError(form)


def _verify(case: str, form: str, token: Any, **kwargs: Any) -> jws.VerifiedJWS:
    if form.startswith("compact"):
        return jws.verify(token, _verifier(case), algorithms=[_alg(case)], **kwargs)
    return jws.verify_json(token, _verifier(case), algorithms=[_alg(case)], **kwargs)


_BINARY_FORMS = ["compact", "compact-detached", "flattened", "general", "json-detached"]


@pytest.mark.parametrize("case", CASES)
@_SETTINGS
@given(form=st.sampled_from(_BINARY_FORMS), payload=st.binary(max_size=200))
def test_round_trip_binary_payloads(case: str, form: str, payload: bytes) -> None:
    token, kwargs = _produce(case, form, payload)
    result = _verify(case, form, token, **kwargs)
    assert result.payload == payload
    assert result.header["alg"] == _alg(case)
    assert result.key is not None
    assert result.key.thumbprint() == _KEYS[case].thumbprint()
    if not form.startswith("compact"):
        # The JSON text verifies as well as the object.
        assert _verify(case, form, json.dumps(token), **kwargs).payload == payload


@pytest.mark.parametrize("case", CASES)
@_SETTINGS
@given(text=_ascii_no_dot, detached=st.booleans())
def test_round_trip_unencoded_compact(case: str, text: str, detached: bool) -> None:
    form = "compact-b64false-detached" if detached else "compact-b64false"
    token, kwargs = _produce(case, form, text.encode("ascii"))
    if not detached:
        assert token.split(".")[1] == text  # the payload travels as it is
    assert _verify(case, form, token, **kwargs).payload == text.encode("ascii")


@pytest.mark.parametrize("case", CASES)
@_SETTINGS
@given(text=_utf8_text)
def test_round_trip_unencoded_json(case: str, text: str) -> None:
    token, kwargs = _produce(case, "json-b64false", text.encode("utf-8"))
    assert token["payload"] == text
    assert _verify(case, "json-b64false", token, **kwargs).payload == text.encode("utf-8")


def _tamper(text: str, position: int, replacement: str) -> str:
    candidates = [i for i, c in enumerate(text) if c != "." and c != replacement]
    index = candidates[position % len(candidates)]
    return text[:index] + replacement + text[index + 1 :]


@pytest.mark.parametrize("case", CASES)
@_SETTINGS
@given(
    form=st.sampled_from(["compact", "compact-detached", "compact-b64false"]),
    position=st.integers(min_value=0),
    replacement=st.sampled_from(_B64URL),
)
def test_any_changed_character_of_a_compact_token_is_rejected(
    case: str, form: str, position: int, replacement: str
) -> None:
    token, kwargs = _produce(case, form, b"a payload for tampering")
    tampered = _tamper(token, position, replacement)
    assert tampered != token
    with pytest.raises(errors.JoseError):
        _verify(case, form, tampered, **kwargs)


@pytest.mark.parametrize("case", CASES)
@_SETTINGS
@given(
    member=st.sampled_from(["payload", "protected", "signature"]),
    position=st.integers(min_value=0),
    replacement=st.sampled_from(_B64URL),
)
def test_any_changed_character_of_a_flattened_jws_is_rejected(
    case: str, member: str, position: int, replacement: str
) -> None:
    obj, kwargs = _produce(case, "flattened", b"a payload for tampering")
    tampered = dict(obj)
    tampered[member] = _tamper(obj[member], position, replacement)
    with pytest.raises(errors.JoseError):
        _verify(case, "flattened", tampered, **kwargs)


@_SETTINGS
@given(
    position=st.integers(min_value=0),
    replacement=st.sampled_from(_B64URL),
    index=st.integers(min_value=0, max_value=1),
)
def test_a_changed_signature_in_a_general_jws_fails_only_for_its_key(
    position: int, replacement: str, index: int
) -> None:
    signers = [jws.Signer(_KEYS["ES256"], "ES256"), jws.Signer(_KEYS["Ed25519"], "Ed25519")]
    obj = jws.sign_json(b"payload", signers)
    entry = obj["signatures"][index]
    entry["signature"] = _tamper(entry["signature"], position, replacement)
    broken, intact = ("ES256", "Ed25519") if index == 0 else ("Ed25519", "ES256")
    with pytest.raises(errors.JoseError):
        jws.verify_json(obj, _verifier(broken), algorithms=[broken])
    assert jws.verify_json(obj, _verifier(intact), algorithms=[intact]).payload == b"payload"
    keys = KeySet([_verifier("ES256"), _verifier("Ed25519")])
    result = jws.verify_json(obj, keys, algorithms=["ES256", "Ed25519"])
    assert result.header["alg"] == intact


@_SETTINGS
@given(
    payload=st.binary(max_size=100),
    header=st.dictionaries(
        st.text(min_size=1, max_size=8).filter(lambda n: n not in {"alg", "crit", "b64", "kid"}),
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20)),
        max_size=4,
    ),
)
def test_extra_protected_header_members_round_trip(payload: bytes, header: dict[str, Any]) -> None:
    token = jws.sign(payload, _KEYS["HS256"], "HS256", header=header)
    result = jws.verify(token, _KEYS["HS256"], algorithms=["HS256"])
    assert result.payload == payload
    assert result.header == {"alg": "HS256", **header}

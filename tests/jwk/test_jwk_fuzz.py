"""Garbled keys never raise anything but a JoseError (or import as a valid key)."""

from __future__ import annotations

import base64
import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from josekit import errors, jwk
from josekit.jwk import Key, KeySet

COOKBOOK = Path(__file__).resolve().parent.parent / "vectors" / "jwk" / "cookbook"
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

MEMBERS = [
    "kty", "crv", "x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi", "k", "oth",
    "kid", "alg", "use", "key_ops", "x5c", "x5t", "x5t#S256", "x5u", "pub", "priv",
]  # fmt: skip
KTYS = ["RSA", "EC", "OKP", "oct", "AKP"]
CURVES = ["P-256", "P-384", "P-521", "secp256k1", "Ed25519", "Ed448", "X25519", "X448"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
base64ish = st.binary(max_size=80).map(b64url) | st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= é",
    max_size=120,
)
member_values = (
    base64ish
    | json_values
    | st.sampled_from([*KTYS, *CURVES, "sig", "enc", "sign", "ES256", "HS256"])
    | st.lists(st.sampled_from(["sign", "verify", "encrypt", "decrypt", "bogus"]), max_size=4)
    | st.lists(base64ish, min_size=1, max_size=2)
)
member_names = st.sampled_from(MEMBERS) | st.text(max_size=6)


def only_jose_errors(data: Any) -> None:
    try:
        key = Key.import_key(data)
    except errors.JoseError:
        return
    # Whatever imports is a working key: its exports and thumbprint do not fail either.
    assert isinstance(key, Key)
    assert key.thumbprint()
    key.to_dict(private=True)
    repr(key)
    if not key.is_symmetric:
        assert Key.import_key(key.to_dict()) == key.public()


@SETTINGS
@given(
    kty=st.sampled_from(KTYS) | json_values,
    members=st.dictionaries(member_names, member_values, max_size=10),
)
def test_random_jwk_dicts(kty: Any, members: dict[str, Any]) -> None:
    only_jose_errors({"kty": kty, **members})


@SETTINGS
@given(members=st.dictionaries(member_names, member_values, max_size=10))
def test_random_jwk_dicts_without_fixed_kty(members: dict[str, Any]) -> None:
    only_jose_errors(members)


def valid_jwks() -> list[dict[str, Any]]:
    out = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(COOKBOOK.glob("3_*.json"))]
    for crv in ("P-256", "secp256k1"):
        out.append(jwk.generate("EC", crv=crv).to_dict(private=True))
    for crv in ("Ed25519", "Ed448", "X25519", "X448"):
        out.append(jwk.generate("OKP", crv=crv).to_dict(private=True))
    return out


VALID = valid_jwks()


@SETTINGS
@given(
    base=st.sampled_from(VALID),
    changes=st.dictionaries(st.sampled_from(MEMBERS), member_values, min_size=1, max_size=3),
    drop=st.sets(st.sampled_from(MEMBERS), max_size=2),
)
def test_mutated_valid_jwks(base: dict[str, Any], changes: dict[str, Any], drop: set[str]) -> None:
    data = {k: v for k, v in {**base, **changes}.items() if k not in drop}
    only_jose_errors(data)


@SETTINGS
@given(
    base=st.sampled_from(VALID),
    member=st.sampled_from(["x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi", "k"]),
    raw=st.binary(max_size=300),
)
def test_key_material_replaced_by_random_bytes(
    base: dict[str, Any], member: str, raw: bytes
) -> None:
    only_jose_errors({**base, member: b64url(raw)})


@SETTINGS
@given(
    base=st.sampled_from([v for v in VALID if "d" in v]),
    member=st.sampled_from(["x", "y", "d", "n", "p", "q", "dp", "dq", "qi"]),
    position=st.integers(min_value=0, max_value=400),
    bit=st.integers(min_value=0, max_value=7),
)
def test_private_key_material_with_one_bit_flipped(
    base: dict[str, Any], member: str, position: int, bit: int
) -> None:
    # In a private key every member is bound to the others: any change is detected. (Not
    # so for an X25519/X448 'd': RFC 7748 clamping ignores some of its bits by design.)
    if member not in base or (member == "d" and base.get("crv") in ("X25519", "X448")):
        return
    raw = bytearray(base64.urlsafe_b64decode(base[member] + "=" * (-len(base[member]) % 4)))
    raw[position % len(raw)] ^= 1 << bit
    data = {**base, member: b64url(bytes(raw))}
    with pytest.raises(errors.JoseError):
        Key.import_key(data)


@SETTINGS
@given(data=st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    only_jose_errors(data)
    only_jose_errors(b"-----BEGIN PRIVATE KEY-----\n" + data)


@SETTINGS
@given(text=st.text(max_size=200))
def test_random_text(text: str) -> None:
    only_jose_errors(text)
    only_jose_errors("{" + text)
    only_jose_errors("-----BEGIN CERTIFICATE-----\n" + text)


@SETTINGS
@given(value=json_values)
def test_random_objects(value: Any) -> None:
    only_jose_errors(value)


@SETTINGS
@given(
    keys=st.lists(
        st.sampled_from(VALID) | st.dictionaries(member_names, member_values, max_size=6),
        max_size=4,
    )
    | json_values,
)
def test_random_key_sets(keys: Any) -> None:
    with contextlib.suppress(errors.JoseError):
        KeySet.import_key_set({"keys": keys})

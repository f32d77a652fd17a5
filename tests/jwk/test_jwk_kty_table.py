"""The ``kty`` table: every key type is one row, and every row behaves the same way."""

from __future__ import annotations

import functools
import hashlib
import json

import pytest

from josekit import errors, jwk
from josekit._b64 import b64e_str
from josekit.jwk import Key
from josekit.jwk._kty import CRYPTO_TYPES, KEY_TYPES

GENERATE = {
    "RSA": {},
    "EC": {"crv": "P-384"},
    "OKP": {"crv": "Ed448"},
    "oct": {"size": 384},
    "AKP": {"alg": "ML-DSA-44"},
}


@functools.cache
def _key(kty: str) -> Key:
    return jwk.generate(kty, kid=f"{kty}-1", **GENERATE[kty])


def test_every_row_is_filed_under_its_kty_and_generation_covers_them_all() -> None:
    assert sorted(KEY_TYPES) == sorted(GENERATE)
    for kty, row in KEY_TYPES.items():
        assert row.kty == kty
        assert "kty" in row.required
        assert list(row.required) == sorted(row.required)  # RFC 7638 member order


@pytest.mark.parametrize("kty", sorted(GENERATE))
def test_a_generated_key_round_trips_through_its_jwk(kty: str) -> None:
    key = _key(kty)
    assert key.kty == kty
    assert key.is_private
    again = Key.import_key(key.to_dict(private=True))
    assert again == key
    assert again.to_dict(private=True) == key.to_dict(private=True)
    assert again.size == key.size == KEY_TYPES[kty].size(key.crypto_key, key.crv, key.alg)


@pytest.mark.parametrize("kty", sorted(GENERATE))
def test_the_thumbprint_hashes_the_rows_required_members(kty: str) -> None:
    key = _key(kty)
    every = key.to_dict(private=True)
    members = {name: every[name] for name in KEY_TYPES[kty].required}
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":")).encode()
    assert key.thumbprint() == b64e_str(hashlib.sha256(canonical).digest())


@pytest.mark.parametrize(
    ("kty", "member"),
    [(kty, m) for kty in sorted(GENERATE) for m in KEY_TYPES[kty].required if m != "kty"],
)
def test_every_required_member_is_required(kty: str, member: str) -> None:
    data = _key(kty).to_dict(private=True)
    del data[member]
    with pytest.raises(errors.InvalidKeyError, match=f"missing required member {member!r}"):
        Key.import_key(data)


@pytest.mark.parametrize("kty", sorted(GENERATE))
def test_the_export_holds_the_rows_members_and_the_shared_ones(kty: str) -> None:
    key = _key(kty)
    row = KEY_TYPES[kty]
    assert set(key.to_dict(private=True)) == {*row.required, *row.private, "kid"}
    if kty == "oct":
        return  # a secret has no public form
    public = key.public().to_dict()
    assert set(public) == {*row.required, "kid"}
    assert not set(public) & (set(row.private) - set(row.required))


@pytest.mark.parametrize("kty", [k for k in sorted(GENERATE) if KEY_TYPES[k].crypto_types])
def test_a_key_object_of_the_row_imports_as_that_type(kty: str) -> None:
    key = _key(kty)
    assert isinstance(key.crypto_key, KEY_TYPES[kty].crypto_types)
    assert isinstance(key.crypto_key, CRYPTO_TYPES)
    again = Key.import_key(key.crypto_key, kid=key.kid)
    assert again == key


def test_a_secret_has_no_key_object_form() -> None:
    assert KEY_TYPES["oct"].crypto_types == ()
    with pytest.raises(errors.MalformedError):
        Key.import_key(_key("oct").crypto_key)  # bytes are read as DER, and refused


def test_an_unknown_kty_is_unsupported_and_the_message_lists_the_table() -> None:
    with pytest.raises(errors.UnsupportedAlgorithmError) as imported:
        Key.import_key({"kty": "DSA", "y": "AQAB"})
    with pytest.raises(errors.UnsupportedAlgorithmError) as generated:
        jwk.generate("DSA")
    for kty in KEY_TYPES:
        assert repr(kty) in str(imported.value)
        assert kty in str(generated.value)


def test_a_key_bound_to_an_alg_refuses_another_alg_whatever_it_comes_from() -> None:
    key = _key("AKP")
    with pytest.raises(errors.InvalidKeyError, match="ML-DSA-44 key: it cannot have alg 'RS256'"):
        Key.import_key(key.crypto_key, alg="RS256")
    with pytest.raises(errors.InvalidKeyError, match="contradicts"):
        Key.import_key(key.to_dict(private=True), alg="RS256")
    with pytest.raises(errors.InvalidKeyError, match="alg RS256 needs an RSA key, not AKP"):
        jwk.generate("AKP", alg="RS256")  # an alg that does not fit the key type (#17)
    assert Key.import_key(key.crypto_key, alg="ML-DSA-44").alg == "ML-DSA-44"

"""Property tests: round trips, tamper detection, fresh IVs (modest example counts)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jwe_helpers import RFC_ALGS, RFC_ENCS, KeyFactory

from josekit import errors, jwe
from josekit.algorithms import KEY_MANAGEMENT


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
        derandomize=True,
    )


_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _header(alg: str) -> dict[str, Any] | None:
    # Keep PBES2 cheap in tests: the smallest count josekit will produce.
    return {"p2c": 1000} if KEY_MANAGEMENT[alg].accepts_password else None


def _encrypt(
    keys: KeyFactory, alg: str, enc: str, plaintext: bytes, form: str, zip_it: bool
) -> tuple[Any, Any]:
    public, private = keys.pair(alg, enc)
    zip_value = "DEF" if zip_it else None
    if form == "compact":
        return jwe.encrypt(plaintext, public, alg, enc, header=_header(alg), zip=zip_value), private
    recipients = [jwe.Recipient(public, alg, _header(alg))]
    if form == "general" and not KEY_MANAGEMENT[alg].direct:
        recipients.append(jwe.Recipient(public, alg, {**(_header(alg) or {}), "kid": "second"}))
    obj = jwe.encrypt_json(
        plaintext, recipients, enc, zip=zip_value, flattened=form == "flattened", aad=b"aad"
    )
    return obj, private


@pytest.mark.parametrize("enc", RFC_ENCS)
@pytest.mark.parametrize("alg", RFC_ALGS)
@_settings(4)
@given(
    plaintext=st.binary(max_size=200),
    form=st.sampled_from(["compact", "flattened", "general"]),
    zip_it=st.booleans(),
)
def test_round_trip(
    keys: KeyFactory, alg: str, enc: str, plaintext: bytes, form: str, zip_it: bool
) -> None:
    token, private = _encrypt(keys, alg, enc, plaintext, form, zip_it)
    if form == "compact":
        result = jwe.decrypt(token, private, algorithms=[alg], encryptions=[enc])
    else:
        result = jwe.decrypt_json(token, private, algorithms=[alg], encryptions=[enc])
        assert result.aad == b"aad"
    assert result.plaintext == plaintext


@pytest.mark.parametrize("alg", RFC_ALGS)
@_settings(12)
@given(
    enc=st.sampled_from(RFC_ENCS),
    position=st.integers(min_value=0),
    replacement=st.sampled_from(_B64URL),
    zip_it=st.booleans(),
)
def test_any_changed_character_is_rejected(
    keys: KeyFactory, alg: str, enc: str, position: int, replacement: str, zip_it: bool
) -> None:
    token, private = _encrypt(keys, alg, enc, b"the plaintext", "compact", zip_it)
    candidates = [i for i, c in enumerate(token) if c != "." and c != replacement]
    index = candidates[position % len(candidates)]
    tampered = token[:index] + replacement + token[index + 1 :]
    with pytest.raises(errors.JoseError):
        jwe.decrypt(tampered, private, algorithms=[alg])


@pytest.mark.parametrize("alg", ["dir", "A128KW", "ECDH-ES", "RSA-OAEP"])
@_settings(10)
@given(
    enc=st.sampled_from(RFC_ENCS),
    member=st.sampled_from(["protected", "encrypted_key", "iv", "ciphertext", "tag", "aad"]),
    position=st.integers(min_value=0),
    replacement=st.sampled_from(_B64URL),
)
def test_any_changed_protected_json_member_is_rejected(
    keys: KeyFactory, alg: str, enc: str, member: str, position: int, replacement: str
) -> None:
    obj, private = _encrypt(keys, alg, enc, b"the plaintext", "flattened", False)
    value = obj.get(member)
    if not value:
        value = "AAAA"  # a member added where there was none
    index = position % len(value)
    if value[index] == replacement:
        replacement = "A" if replacement != "A" else "B"
    obj[member] = value[:index] + replacement + value[index + 1 :]
    with pytest.raises(errors.JoseError):
        jwe.decrypt_json(obj, private, algorithms=[alg])


@pytest.mark.parametrize("enc", RFC_ENCS)
@pytest.mark.parametrize("alg", ["dir", "A256KW", "ECDH-ES"])
@_settings(5)
@given(plaintext=st.binary(max_size=64))
def test_two_encryptions_never_share_an_iv(
    keys: KeyFactory, alg: str, enc: str, plaintext: bytes
) -> None:
    public, _ = keys.pair(alg, enc)
    tokens = [jwe.encrypt(plaintext, public, alg, enc).split(".") for _ in range(16)]
    ivs = {t[2] for t in tokens}
    assert len(ivs) == len(tokens)
    assert len({t[3] + t[4] for t in tokens}) == len(tokens)
    if alg != "dir":
        assert len({t[0] + t[1] for t in tokens}) == len(tokens)  # fresh CEK or epk each time

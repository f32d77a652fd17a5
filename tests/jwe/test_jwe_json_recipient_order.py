"""Issue #19 (speed): a JWE JSON recipient addressed by ``kid`` is tried first.

Decrypting as the last of ten ECDH-ES+A256KW recipients must cost one key agreement when
the recipient's ``kid`` names the key, not one per recipient before it; failure stays one
uniform :class:`DecryptionError` (RFC 7516 §11.5).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from josekit import errors, jwe
from josekit.algorithms.key_management import KEY_MANAGEMENT
from josekit.jwk import Key, generate

ALG = "ECDH-ES+A256KW"
ENC = "A256GCM"


def _keys(count: int, *, with_kid: bool = True) -> list[Key]:
    return [generate(alg=ALG, kid=f"r{i}" if with_kid else None) for i in range(count)]


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """Record the ``kid`` header of every unwrap the ECDH-ES+A256KW row attempts."""
    row = type(KEY_MANAGEMENT[ALG])  # a frozen dataclass: spy on its class
    real: Callable[..., bytes] = row.unwrap
    calls: list[str | None] = []

    def unwrap(self: Any, key: Key, encrypted_key: bytes, header: Any, *rest: Any) -> bytes:
        if self.name == ALG:
            calls.append(header.get("kid"))
        return real(self, key, encrypted_key, header, *rest)

    monkeypatch.setattr(row, "unwrap", unwrap)
    return calls


def _token(keys: list[Key], headers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    recipients = [
        jwe.Recipient(k.public(), ALG, header=(headers[i] if headers else None))
        for i, k in enumerate(keys)
    ]
    return jwe.encrypt_json(b"secret", recipients, ENC)


def test_the_recipient_named_by_kid_costs_one_unwrap(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = _keys(10)
    token = _token(keys)
    calls = _spy(monkeypatch)
    result = jwe.decrypt_json(token, keys[-1], algorithms=[ALG])
    assert result.plaintext == b"secret"
    assert result.header["kid"] == "r9"
    assert calls == ["r9"]


def test_a_thumbprint_kid_names_a_key_without_kid(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = _keys(4, with_kid=False)
    headers = [{"kid": k.thumbprint()} for k in keys[:3]] + [{"kid": keys[3].thumbprint_uri()}]
    token = _token(keys, headers)
    calls = _spy(monkeypatch)
    assert jwe.decrypt_json(token, keys[3], algorithms=[ALG]).plaintext == b"secret"
    assert calls == [keys[3].thumbprint_uri()]
    calls.clear()
    assert jwe.decrypt_json(token, keys[2], algorithms=[ALG]).plaintext == b"secret"
    assert calls == [keys[2].thumbprint()]


def test_without_kids_every_recipient_is_still_tried(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = _keys(3, with_kid=False)
    token = _token(keys)
    calls = _spy(monkeypatch)
    assert jwe.decrypt_json(token, keys[2], algorithms=[ALG]).plaintext == b"secret"
    assert len(calls) == 3


def test_a_wrong_kid_still_reaches_the_right_recipient(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = _keys(3)
    # Recipient 0 claims r2's kid with r0's material: order is a hint, never a filter.
    token = _token(keys, [{"kid": "r2"}, {"kid": "y"}, {"kid": "z"}])
    calls = _spy(monkeypatch)
    assert jwe.decrypt_json(token, keys[2], algorithms=[ALG]).plaintext == b"secret"
    assert calls == ["r2", "y", "z"]


def test_failure_is_one_uniform_error_whichever_recipient_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keys = _keys(3)
    token = _token(keys)
    outsider = generate(alg=ALG, kid="r1")  # names recipient 1, holds none of the keys
    calls = _spy(monkeypatch)
    with pytest.raises(errors.DecryptionError) as named:
        jwe.decrypt_json(token, outsider, algorithms=[ALG])
    assert calls[0] == "r1"
    assert len(calls) == 3
    with pytest.raises(errors.DecryptionError) as unnamed:
        jwe.decrypt_json(token, generate(alg=ALG, kid="zz"), algorithms=[ALG])
    assert type(named.value) is type(unnamed.value)
    assert str(named.value) == str(unnamed.value)

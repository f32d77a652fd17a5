"""A dir key keeps its prepared cipher, and plain headers are encoded once: nothing else is kept."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import sys
from collections.abc import Callable
from types import FrameType
from typing import NoReturn

import pytest

from josekit import errors, jwe
from josekit._b64 import b64d
from josekit.algorithms.content import CONTENT_ENCRYPTION, ContentEncryption
from josekit.algorithms.key_management._dir import Direct
from josekit.jwe import _compact
from josekit.jwk import Key, generate
from josekit.policy import DEFAULT_LIMITS


def _header(token: str) -> dict[str, object]:
    decoded: dict[str, object] = json.loads(b64d(token.split(".")[0]))
    return decoded


def test_one_key_two_encs_of_the_same_size() -> None:
    # A 256-bit key fits both A256GCM and A128CBC-HS256: each enc gets its own cipher.
    key = generate("oct", size=256, kid="k")
    for enc in ("A256GCM", "A128CBC-HS256", "A256GCM", "A128CBC-HS256"):
        token = jwe.encrypt(b"hello", key, "dir", enc)
        assert _header(token) == {"alg": "dir", "enc": enc, "kid": "k"}
        result = jwe.decrypt(token, key, algorithms=["dir"])
        assert result.plaintext == b"hello"
        assert result.header["enc"] == enc


def test_iv_and_ciphertext_fresh_with_a_kept_cipher() -> None:
    key = generate("oct", size=256)
    tokens = [jwe.encrypt(b"same", key, "dir", "A256GCM") for _ in range(3)]
    ivs = {t.split(".")[2] for t in tokens}
    ciphertexts = {t.split(".")[3] for t in tokens}
    assert len(ivs) == 3
    assert len(ciphertexts) == 3
    assert all(t.split(".")[1] == "" for t in tokens)  # dir: empty encrypted key
    assert "kid" not in _header(tokens[0])


def test_each_key_uses_its_own_bytes() -> None:
    first = Key.import_key({"kty": "oct", "k": "A" * 43, "kid": "same"})
    second = Key.import_key({"kty": "oct", "k": "B" * 42 + "A", "kid": "same"})
    token = jwe.encrypt(b"for first", first, "dir", "A256GCM")
    jwe.decrypt(jwe.encrypt(b"warm", second, "dir", "A256GCM"), second, algorithms=["dir"])
    with pytest.raises(errors.DecryptionError):
        jwe.decrypt(token, second, algorithms=["dir"])
    assert jwe.decrypt(token, first, algorithms=["dir"]).plaintext == b"for first"


def test_header_memo_follows_the_kid() -> None:
    for kid in ("a", "b", "a"):
        key = generate("oct", size=128, kid=kid)
        assert _header(jwe.encrypt(b"x", key, "dir", "A128GCM"))["kid"] == kid


def test_checks_still_run_after_a_warm_call() -> None:
    key = generate("oct", size=256, kid="a-longer-kid")
    jwe.encrypt(b"warm", key, "dir", "A256GCM")
    short = dataclasses.replace(DEFAULT_LIMITS, max_kid_length=4)
    with pytest.raises(errors.LimitExceededError):
        jwe.encrypt(b"x", key, "dir", "A256GCM", limits=short)
    with pytest.raises(errors.InvalidKeyError):
        jwe.encrypt(b"x", key, "dir", "A128GCM")  # a 256-bit key does not fit A128GCM
    decrypt_only = Key.import_key({**key.to_dict(private=True), "key_ops": ["decrypt"]})
    jwe.decrypt(jwe.encrypt(b"x", key, "dir", "A256GCM"), decrypt_only, algorithms=["dir"])
    with pytest.raises(errors.InvalidKeyError):
        jwe.encrypt(b"x", decrypt_only, "dir", "A256GCM")


def test_caller_header_still_checked() -> None:
    key = generate("oct", size=256)
    token = jwe.encrypt(b"x", key, "dir", "A256GCM", header={"typ": "JWT"})
    assert _header(token) == {"typ": "JWT", "alg": "dir", "enc": "A256GCM"}
    with pytest.raises(errors.InvalidHeaderError):
        jwe.encrypt(b"x", key, "dir", "A256GCM", header={"enc": "A128GCM"})


# -- the warm path: a fresh IV and one seal, nothing wrapped, built or encoded ---------------


def test_seal_is_encrypt_with_the_tag_appended() -> None:
    for ce in CONTENT_ENCRYPTION.values():
        cek, iv = os.urandom(ce.key_size), os.urandom(ce.iv_size)
        ciphertext, tag = ce.encrypt(cek, iv, b"plaintext", b"aad")
        assert len(tag) == ce.tag_size
        assert ce.seal(ce.cipher(cek), iv, b"plaintext", b"aad") == ciphertext + tag
        assert ce.decrypt(cek, iv, ciphertext, tag, b"aad") == b"plaintext"


def test_cipher_and_seal_check_their_lengths() -> None:
    ce = CONTENT_ENCRYPTION["A128GCM"]
    with pytest.raises(ValueError, match="CEK"):
        ce.cipher(os.urandom(32))  # an AES-256 key is not an A128GCM CEK
    with pytest.raises(ValueError, match="IV"):
        ce.seal(ce.cipher(os.urandom(16)), os.urandom(16), b"x", b"")


def test_warm_dir_encryption_wraps_builds_and_encodes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = generate("oct", size=256, kid="k")
    jwe.encrypt(b"warm", key, "dir", "A256GCM")

    def refuse(*args: object, **kwargs: object) -> NoReturn:
        raise AssertionError("not on the warm dir path")

    monkeypatch.setattr(Direct, "wrap", refuse)  # the key is the CEK: nothing to wrap
    monkeypatch.setattr(ContentEncryption, "cipher", refuse)  # the key's cipher is kept
    monkeypatch.setattr(_compact, "dumps_bytes", refuse)  # the header is encoded once
    token = jwe.encrypt(b"hello", key, "dir", "A256GCM")
    monkeypatch.undo()
    assert _header(token) == {"alg": "dir", "enc": "A256GCM", "kid": "k"}
    assert jwe.decrypt(token, key, algorithms=["dir"]).plaintext == b"hello"


def _python_calls(function: Callable[[], object]) -> list[str]:
    calls: list[str] = []

    def record(frame: FrameType, event: str, arg: object) -> None:
        if event == "call":
            calls.append(frame.f_code.co_name)

    previous = sys.getprofile()
    sys.setprofile(record)
    try:
        function()
    finally:
        sys.setprofile(previous)
    return calls


def test_warm_dir_encryption_call_budget() -> None:
    # make bench row jwe.encrypt.dir.A256GCM must stay within 1.5x the floor: a budget of
    # Python-level calls guards it without timing anything. 14 calls (20 before the kept
    # cipher stood in for the key wrap): the two entry points, the plaintext, the key checks,
    # the kept cipher, the IV, one seal, three base64url encodings; a kid adds its check.
    for kid, budget in ((None, 14), ("k", 15)):
        key = generate("oct", size=256, kid=kid)
        jwe.encrypt(b"warm", key, "dir", "A256GCM")
        calls = _python_calls(functools.partial(jwe.encrypt, b"hello", key, "dir", "A256GCM"))
        assert len(calls) <= budget, calls

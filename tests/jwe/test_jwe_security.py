"""The secure defaults of JWE, one test (or a few) per attack class."""

from __future__ import annotations

import inspect
import os
import tracemalloc
import zlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jwe_helpers import PASSWORD, RFC_ALGS, KeyFactory, oct_key

from josekit import DEFAULT_LIMITS, Key, KeySet, Limits, errors, jwe, jwk
from josekit._b64 import b64d, b64e_str
from josekit._header import parse_protected
from josekit._json import dumps
from josekit.algorithms import CONTENT_ENCRYPTION, KEY_MANAGEMENT
from josekit.algorithms import content as content_module
from josekit.algorithms.content import DECRYPTION_FAILED
from josekit.algorithms.key_management import _pbes2 as km_module


def _parts(token: str) -> list[str]:
    return token.split(".")


def _with_header(token: str, **changes: Any) -> str:
    """The token with its protected header changed (which also breaks its integrity)."""
    parts = _parts(token)
    header = {**parse_protected(parts[0], DEFAULT_LIMITS), **changes}
    header = {k: v for k, v in header.items() if v is not _DROP}
    parts[0] = b64e_str(dumps(header).encode())
    return ".".join(parts)


_DROP = object()


def _replace(token: str, index: int, value: bytes) -> str:
    parts = _parts(token)
    parts[index] = b64e_str(value)
    return ".".join(parts)


# -- allow lists ---------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["RSA1_5", "PBES2-HS256+A128KW", "PBES2-HS512+A256KW"])
def test_rsa1_5_and_pbes2_only_when_listed(keys: KeyFactory, alg: str) -> None:
    public, private = keys.pair(alg, "A128GCM")
    token = jwe.encrypt(b"x", public, alg, "A128GCM")
    every_default = sorted(set(RFC_ALGS) - KEY_MANAGEMENT.opt_in)
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jwe.decrypt(token, private, algorithms=every_default)
    assert jwe.decrypt(token, private, algorithms=[alg]).plaintext == b"x"


@pytest.mark.parametrize("algorithms", [None, [], "A128KW", ["nope"]])
def test_algorithms_must_be_a_real_list(algorithms: Any) -> None:
    key = oct_key(16)
    token = jwe.encrypt(b"x", key, "A128KW", "A128GCM")
    with pytest.raises((errors.AlgorithmNotAllowedError, errors.UnsupportedAlgorithmError)):
        jwe.decrypt(token, key, algorithms=algorithms)


def test_encryptions_list_is_enforced() -> None:
    key = oct_key(16)
    token = jwe.encrypt(b"x", key, "A128KW", "A128GCM")
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jwe.decrypt(token, key, algorithms=["A128KW"], encryptions=["A256GCM"])
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jwe.decrypt(token, key, algorithms=["A128KW"], encryptions=[])
    assert jwe.decrypt(token, key, algorithms=["A128KW"], encryptions=["A128GCM"]).plaintext


def test_unknown_alg_and_enc_are_unsupported() -> None:
    key = oct_key(16)
    token = jwe.encrypt(b"x", key, "A128KW", "A128GCM")
    with pytest.raises(errors.UnsupportedAlgorithmError):
        jwe.decrypt(_with_header(token, alg="A128KW2"), key, algorithms=["A128KW"])
    with pytest.raises(errors.UnsupportedAlgorithmError):
        jwe.decrypt(_with_header(token, enc="A128CTR"), key, algorithms=["A128KW"])
    with pytest.raises(errors.UnsupportedAlgorithmError):
        jwe.encrypt(b"x", key, "none", "A128GCM")


# -- RSA1_5 (RFC 7516 §11.5) ---------------------------------------------------------------


def test_rsa1_5_failures_are_indistinguishable(keys: KeyFactory) -> None:
    public, private = keys.pair("RSA1_5", "A128CBC-HS256")
    token = jwe.encrypt(b"secret", public, "RSA1_5", "A128CBC-HS256")
    pub = public.public_crypto_key
    forged = [
        pub.encrypt(os.urandom(17), padding.PKCS1v15()),  # well padded, wrong CEK length
        pub.encrypt(b"", padding.PKCS1v15()),  # well padded, empty
        os.urandom(256),  # padding error (almost surely)
        b"\x00" * 256,  # zero
        os.urandom(100),  # wrong length
    ]
    messages = set()
    for encrypted_key in forged:
        with pytest.raises(errors.DecryptionError) as info:
            jwe.decrypt(_replace(token, 1, encrypted_key), private, algorithms=["RSA1_5"])
        assert type(info.value) is errors.DecryptionError
        messages.add(str(info.value))
    assert messages == {DECRYPTION_FAILED}


def test_rsa1_5_goes_on_with_a_random_cek(keys: KeyFactory) -> None:
    _, private = keys.pair("RSA1_5", "A128GCM")
    row = KEY_MANAGEMENT["RSA1_5"]
    enc = CONTENT_ENCRYPTION["A256CBC-HS512"]
    wrong_length = private.public_crypto_key.encrypt(b"0123456789abcdef", padding.PKCS1v15())
    for encrypted_key in (os.urandom(256), wrong_length, b""):
        first = row.unwrap(private, encrypted_key, {}, enc, DEFAULT_LIMITS)
        second = row.unwrap(private, encrypted_key, {}, enc, DEFAULT_LIMITS)
        assert len(first) == len(second) == enc.key_size
        assert first != second  # fresh randomness each time, never an exception


# -- PBES2 ---------------------------------------------------------------------------------


@pytest.fixture
def pbes2_token() -> str:
    return jwe.encrypt(b"x", PASSWORD, "PBES2-HS256+A128KW", "A128GCM", header={"p2c": 1000})


@pytest.mark.parametrize(
    ("p2c", "error"),
    [
        (True, errors.InvalidHeaderError),
        (1000.0, errors.InvalidHeaderError),
        (1.5, errors.InvalidHeaderError),
        ("1000", errors.InvalidHeaderError),
        (None, errors.InvalidHeaderError),
        (0, errors.InvalidHeaderError),
        (-1, errors.InvalidHeaderError),
        (10_001, errors.LimitExceededError),
        (2**31, errors.LimitExceededError),
    ],
)
def test_p2c_is_checked_before_any_derivation(
    pbes2_token: str, p2c: Any, error: type[Exception], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _with_header(pbes2_token, p2c=p2c)

    def no_derivation(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("PBKDF2 ran before p2c was checked")

    monkeypatch.setattr(km_module, "PBKDF2HMAC", no_derivation)
    with pytest.raises(error):
        jwe.decrypt(token, PASSWORD, algorithms=["PBES2-HS256+A128KW"])


def test_missing_p2c_and_short_p2s_are_refused(pbes2_token: str) -> None:
    for token in (
        _with_header(pbes2_token, p2c=_DROP),
        _with_header(pbes2_token, p2s=b64e_str(b"1234567")),
        _with_header(pbes2_token, p2s=_DROP),
        _with_header(pbes2_token, p2s=7),
    ):
        with pytest.raises(errors.InvalidHeaderError):
            jwe.decrypt(token, PASSWORD, algorithms=["PBES2-HS256+A128KW"])


def test_p2c_limit_is_configurable() -> None:
    token = jwe.encrypt(
        b"x",
        PASSWORD,
        "PBES2-HS256+A128KW",
        "A128GCM",
        header={"p2c": 12_000},
        limits=Limits(max_p2c=20_000),
    )
    with pytest.raises(errors.LimitExceededError):
        jwe.decrypt(token, PASSWORD, algorithms=["PBES2-HS256+A128KW"])
    result = jwe.decrypt(
        token, PASSWORD, algorithms=["PBES2-HS256+A128KW"], limits=Limits(max_p2c=20_000)
    )
    assert result.plaintext == b"x"


def test_encrypt_uses_default_p2c_and_refuses_weak_counts() -> None:
    token = jwe.encrypt(b"x", PASSWORD, "PBES2-HS512+A256KW", "A256GCM")
    header = jwe.decrypt(token, PASSWORD, algorithms=["PBES2-HS512+A256KW"]).header
    assert header["p2c"] == DEFAULT_LIMITS.default_p2c
    assert len(b64d(header["p2s"])) >= 16
    for weak in (999, 1, 0, True, 1000.5):
        with pytest.raises(errors.InvalidHeaderError):
            jwe.encrypt(b"x", PASSWORD, "PBES2-HS512+A256KW", "A256GCM", header={"p2c": weak})
    with pytest.raises(errors.InvalidHeaderError):
        jwe.encrypt(b"x", PASSWORD, "PBES2-HS512+A256KW", "A256GCM", header={"p2c": 10_001})
    with pytest.raises(errors.InvalidHeaderError):
        jwe.encrypt(b"x", PASSWORD, "PBES2-HS512+A256KW", "A256GCM", header={"p2s": "AAAAAAAAAAA"})


def test_password_as_key_object_and_wrong_password() -> None:
    key = Key.import_key({"kty": "oct", "k": b64e_str(PASSWORD.encode())})
    token = jwe.encrypt(b"x", key, "PBES2-HS384+A192KW", "A192GCM")
    assert jwe.decrypt(token, PASSWORD.encode(), algorithms=["PBES2-HS384+A192KW"]).plaintext
    with pytest.raises(errors.DecryptionError):
        jwe.decrypt(token, "wrong password", algorithms=["PBES2-HS384+A192KW"])
    with pytest.raises(errors.InvalidKeyError):
        jwe.decrypt(token, "", algorithms=["PBES2-HS384+A192KW"])


def test_a_str_key_is_a_password_only_for_pbes2() -> None:
    with pytest.raises(errors.InvalidKeyError, match="PBES2"):
        jwe.encrypt(b"x", "0123456789abcdef", "A128KW", "A128GCM")
    token = jwe.encrypt(b"x", oct_key(16), "A128KW", "A128GCM")
    with pytest.raises(errors.InvalidKeyError):
        jwe.decrypt(token, "0123456789abcdef", algorithms=["A128KW"])


# -- compression ---------------------------------------------------------------------------


def test_decompression_bomb_costs_neither_memory_nor_time() -> None:
    key = oct_key(32)
    bomb = jwe.encrypt(b"\x00" * 50_000_000, key, "dir", "A256GCM", zip="DEF")
    assert len(bomb) < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(errors.LimitExceededError):
            jwe.decrypt(bomb, key, algorithms=["dir"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * DEFAULT_LIMITS.max_inflated_size


def test_inflated_size_cap_is_exact() -> None:
    key = oct_key(32)
    cap = DEFAULT_LIMITS.max_inflated_size
    at_cap = jwe.encrypt(b"a" * cap, key, "dir", "A256GCM", zip="DEF")
    assert len(jwe.decrypt(at_cap, key, algorithms=["dir"]).plaintext) == cap
    above = jwe.encrypt(b"a" * (cap + 1), key, "dir", "A256GCM", zip="DEF")
    with pytest.raises(errors.LimitExceededError):
        jwe.decrypt(above, key, algorithms=["dir"])
    with pytest.raises(errors.LimitExceededError):
        jwe.decrypt(at_cap, key, algorithms=["dir"], limits=Limits(max_inflated_size=0))


def test_zip_must_be_protected_and_known(keys: KeyFactory) -> None:
    key = oct_key(16)
    with pytest.raises(errors.InvalidHeaderError):
        jwe.encrypt(b"x", key, "A128KW", "A128GCM", zip="GZIP")
    token = jwe.encrypt(b"x", key, "A128KW", "A128GCM", zip="DEF")
    with pytest.raises(errors.UnsupportedAlgorithmError):
        jwe.decrypt(_with_header(token, zip="GZIP"), key, algorithms=["A128KW"])
    with pytest.raises(errors.InvalidHeaderError):
        jwe.encrypt_json(
            b"x", [jwe.Recipient(key, "A128KW")], "A128GCM", unprotected={"zip": "DEF"}
        )
    with pytest.raises(errors.InvalidHeaderError):
        jwe.encrypt_json(b"x", [jwe.Recipient(key, "A128KW", {"zip": "DEF"})], "A128GCM")
    obj = jwe.encrypt_json(b"x", [jwe.Recipient(key, "A128KW")], "A128GCM")
    for where in ("unprotected", "header"):
        forged = dict(obj)
        forged["recipients"] = [dict(r) for r in obj["recipients"]]
        if where == "unprotected":
            forged["unprotected"] = {"zip": "DEF"}
        else:
            forged["recipients"][0]["header"] = {**forged["recipients"][0]["header"], "zip": "DEF"}
        with pytest.raises(errors.InvalidHeaderError, match="protected"):
            jwe.decrypt_json(forged, key, algorithms=["A128KW"])


def test_corrupt_deflate_stream_is_a_decryption_error() -> None:
    key = oct_key(32)
    from josekit.jwe._compact import _encrypt

    # A JWE whose authenticated content claims zip but is not a DEFLATE stream.
    token = _encrypt(b"x", key, "dir", "A256GCM", {"zip": "DEF"}, None, DEFAULT_LIMITS)
    assert jwe.decrypt(token, key, algorithms=["dir"]).plaintext == b"x"
    header = {"alg": "dir", "enc": "A256GCM", "zip": "DEF"}
    h64 = b64e_str(dumps(header).encode())
    iv = os.urandom(12)
    ciphertext, tag = CONTENT_ENCRYPTION["A256GCM"].encrypt(
        key.crypto_key, iv, b"\xff\xff not deflate", h64.encode()
    )
    forged = ".".join([h64, "", b64e_str(iv), b64e_str(ciphertext), b64e_str(tag)])
    with pytest.raises(errors.DecryptionError):
        jwe.decrypt(forged, key, algorithms=["dir"])
    # And a stream with trailing data after its end.
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = compressor.compress(b"x") + compressor.flush() + b"trailing"
    ciphertext, tag = CONTENT_ENCRYPTION["A256GCM"].encrypt(
        key.crypto_key, iv, stream, h64.encode()
    )
    forged = ".".join([h64, "", b64e_str(iv), b64e_str(ciphertext), b64e_str(tag)])
    with pytest.raises(errors.DecryptionError):
        jwe.decrypt(forged, key, algorithms=["dir"])


# -- ECDH-ES -------------------------------------------------------------------------------


@pytest.fixture
def ecdh_token(keys: KeyFactory) -> tuple[str, Key]:
    public, private = keys.pair("ECDH-ES+A128KW", "A128GCM", "P-256")
    return jwe.encrypt(b"x", public, "ECDH-ES+A128KW", "A128GCM"), private


def test_epk_on_another_curve_or_type_is_refused(
    keys: KeyFactory, ecdh_token: tuple[str, Key]
) -> None:
    token, private = ecdh_token
    others = [
        keys.ec["P-384"].public().to_dict(),
        keys.okp["X25519"].public().to_dict(),
        {**keys.ec["P-256"].public().to_dict(), "crv": "P-384"},
        {**keys.ec["P-256"].public().to_dict(), "kty": "OKP"},
    ]
    for epk in others:
        with pytest.raises(errors.InvalidHeaderError, match="epk"):
            jwe.decrypt(_with_header(token, epk=epk), private, algorithms=["ECDH-ES+A128KW"])


def test_epk_off_the_curve_is_refused(ecdh_token: tuple[str, Key]) -> None:
    token, private = ecdh_token
    header = jwe.decrypt(token, private, algorithms=["ECDH-ES+A128KW"]).header
    epk = dict(header["epk"])
    y = bytearray(b64d(epk["y"]))
    y[-1] ^= 1
    bad = [
        {**epk, "y": b64e_str(bytes(y))},  # not on the curve
        {**epk, "x": b64e_str(b"\x00" * 32), "y": b64e_str(b"\x00" * 32)},  # "infinity"
        {**epk, "x": epk["x"][:-2]},  # short coordinate
        {**epk, "d": private.to_dict(private=True)["d"]},  # a private key
        {k: v for k, v in epk.items() if k != "y"},
        "not a JWK",
        _DROP,
    ]
    for value in bad:
        with pytest.raises(errors.InvalidHeaderError):
            jwe.decrypt(_with_header(token, epk=value), private, algorithms=["ECDH-ES+A128KW"])


@pytest.mark.parametrize("crv", ["X25519", "X448"])
def test_all_zero_shared_secret_is_a_decryption_error(keys: KeyFactory, crv: str) -> None:
    public, private = keys.pair("ECDH-ES", "A128GCM", crv)
    token = jwe.encrypt(b"x", public, "ECDH-ES", "A128GCM")
    size = 32 if crv == "X25519" else 56
    small_order = {"kty": "OKP", "crv": crv, "x": b64e_str(b"\x00" * size)}
    with pytest.raises(errors.DecryptionError) as info:
        jwe.decrypt(_with_header(token, epk=small_order), private, algorithms=["ECDH-ES"])
    assert str(info.value) == DECRYPTION_FAILED


def test_apu_apv_are_bound_into_the_key(keys: KeyFactory) -> None:
    public, private = keys.pair("ECDH-ES", "A256GCM", "P-384")
    token = jwe.encrypt(
        b"x", public, "ECDH-ES", "A256GCM", header={"apu": "QWxpY2U", "apv": "Qm9i"}
    )
    assert jwe.decrypt(token, private, algorithms=["ECDH-ES"]).header["apv"] == "Qm9i"
    with pytest.raises(errors.DecryptionError):
        jwe.decrypt(_with_header(token, apv="Qm9j"), private, algorithms=["ECDH-ES"])
    with pytest.raises(errors.InvalidHeaderError):
        jwe.decrypt(_with_header(token, apv=5), private, algorithms=["ECDH-ES"])


def test_kid_must_be_a_string_on_encrypt_too() -> None:
    key = oct_key(16)
    with pytest.raises(errors.InvalidHeaderError):
        jwe.encrypt(b"x", key, "A128KW", "A128GCM", header={"kid": 7})
    with pytest.raises(errors.InvalidHeaderError):
        jwe.encrypt_json(b"x", [jwe.Recipient(key, "A128KW", {"kid": None})], "A128GCM")


def test_generated_parameters_cannot_be_set_by_the_caller(keys: KeyFactory) -> None:
    public, _ = keys.pair("ECDH-ES", "A128GCM")
    for name in ("epk", "iv", "tag", "p2s"):
        with pytest.raises(errors.InvalidHeaderError, match=name):
            jwe.encrypt(b"x", public, "ECDH-ES", "A128GCM", header={name: "AAAA"})


# -- content encryption lengths ------------------------------------------------------------


@pytest.mark.parametrize("enc", ["A128GCM", "A256GCM"])
def test_gcm_iv_and_tag_lengths_are_exact(enc: str) -> None:
    key = oct_key(CONTENT_ENCRYPTION[enc].key_size)
    token = jwe.encrypt(b"payload", key, "dir", enc)
    iv, tag = b64d(_parts(token)[2]), b64d(_parts(token)[4])
    for index, value in (
        (2, iv + b"\x00\x00\x00\x00"),
        (2, iv[:8]),
        (2, b""),
        (4, tag[:15]),
        (4, tag[:12]),
        (4, tag + b"\x00"),
        (4, b""),
    ):
        with pytest.raises(errors.DecryptionError):
            jwe.decrypt(_replace(token, index, value), key, algorithms=["dir"])


def test_gcm_tag_bytes_moved_into_the_ciphertext_are_refused() -> None:
    key = oct_key(16)
    token = jwe.encrypt(b"payload", key, "dir", "A128GCM")
    parts = _parts(token)
    ciphertext, tag = b64d(parts[3]), b64d(parts[4])
    parts[3], parts[4] = b64e_str(ciphertext + tag[:4]), b64e_str(tag[4:])
    with pytest.raises(errors.DecryptionError):
        jwe.decrypt(".".join(parts), key, algorithms=["dir"])


@pytest.mark.parametrize("enc", ["A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"])
def test_cbc_hmac_tag_length_is_exact(enc: str) -> None:
    ce = CONTENT_ENCRYPTION[enc]
    key = oct_key(ce.key_size)
    token = jwe.encrypt(b"payload", key, "dir", enc)
    tag = b64d(_parts(token)[4])
    assert len(tag) == ce.tag_size
    full_mac_length = 2 * ce.tag_size
    for value in (
        tag[:-1],
        tag[:1],
        tag + b"\x00",
        b"",
        tag + b"\x00" * (full_mac_length - len(tag)),
    ):
        with pytest.raises(errors.DecryptionError):
            jwe.decrypt(_replace(token, 4, value), key, algorithms=["dir"])
    with pytest.raises(errors.DecryptionError):  # CBC IVs are exactly 16 bytes
        jwe.decrypt(_replace(token, 2, b64d(_parts(token)[2])[:12]), key, algorithms=["dir"])


@pytest.mark.parametrize("alg", ["A128GCMKW", "A256GCMKW"])
def test_gcm_key_wrap_iv_and_tag_lengths_are_exact(alg: str) -> None:
    kek = oct_key(KEY_MANAGEMENT[alg].size)  # type: ignore[attr-defined]
    token = jwe.encrypt(b"x", kek, alg, "A128GCM")
    header = parse_protected(_parts(token)[0], DEFAULT_LIMITS)
    iv, tag = b64d(header["iv"]), b64d(header["tag"])
    assert (len(iv), len(tag)) == (12, 16)
    for changes in (
        {"iv": b64e_str(iv + b"\x00" * 4)},
        {"iv": b64e_str(iv[:8])},
        {"tag": b64e_str(tag[:15])},
        {"tag": b64e_str(tag + b"\x00")},
    ):
        with pytest.raises(errors.DecryptionError):
            jwe.decrypt(_with_header(token, **changes), kek, algorithms=[alg])
    for changes in ({"iv": _DROP}, {"tag": _DROP}, {"iv": 12}):
        with pytest.raises(errors.InvalidHeaderError):
            jwe.decrypt(_with_header(token, **changes), kek, algorithms=[alg])


def test_cbc_mac_is_checked_before_decrypting(monkeypatch: pytest.MonkeyPatch) -> None:
    key = oct_key(32)
    token = jwe.encrypt(b"payload", key, "dir", "A128CBC-HS256")
    ciphertext = bytearray(b64d(_parts(token)[3]))
    ciphertext[-1] ^= 0x55  # would break the padding
    forged = _replace(token, 3, bytes(ciphertext))

    def no_cipher(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("AES-CBC ran before the MAC was checked")

    monkeypatch.setattr(content_module, "Cipher", no_cipher)
    with pytest.raises(errors.DecryptionError) as info:
        jwe.decrypt(forged, key, algorithms=["dir"])
    assert str(info.value) == DECRYPTION_FAILED


def test_dir_and_key_wrap_cek_lengths_are_checked() -> None:
    with pytest.raises(errors.InvalidKeyError):
        jwe.encrypt(b"x", oct_key(16), "dir", "A256GCM")
    with pytest.raises(errors.InvalidKeyError):
        jwe.decrypt(
            jwe.encrypt(b"x", oct_key(32), "dir", "A256GCM"), oct_key(16), algorithms=["dir"]
        )
    kek = oct_key(16)
    token = jwe.encrypt(b"x", kek, "A128KW", "A256GCM")
    from cryptography.hazmat.primitives.keywrap import aes_key_wrap

    short = aes_key_wrap(kek.crypto_key, os.urandom(16))  # a 128-bit CEK for a 256-bit enc
    with pytest.raises(errors.DecryptionError):
        jwe.decrypt(_replace(token, 1, short), kek, algorithms=["A128KW"])
    dir_token = jwe.encrypt(b"x", oct_key(32, alg="dir"), "dir", "A256GCM")
    with pytest.raises(errors.DecryptionError):  # dir carries no encrypted key
        jwe.decrypt(_replace(dir_token, 1, b"extra"), oct_key(32), algorithms=["dir"])


# -- one error, one message ----------------------------------------------------------------


def test_every_decryption_failure_has_the_same_message(keys: KeyFactory) -> None:
    seen = set()
    for alg in ("A128KW", "A128GCMKW", "RSA-OAEP", "ECDH-ES+A128KW", "dir"):
        public, private = keys.pair(alg, "A128GCM")
        token = jwe.encrypt(b"x", public, alg, "A128GCM")
        for index in (1, 3, 4):
            raw = bytearray(b64d(_parts(token)[index]) or b"\x00")
            raw[0] ^= 1
            try:
                jwe.decrypt(_replace(token, index, bytes(raw)), private, algorithms=[alg])
            except errors.DecryptionError as exc:
                seen.add(str(exc))
            else:
                raise AssertionError(f"{alg}: a changed part {index} decrypted")
    assert seen == {DECRYPTION_FAILED}


@pytest.mark.parametrize(
    "token",
    [
        "a.b.c",
        "a.b.c.d.e.f",
        "",
        "....",
        "!!!.a.b.c.d",
        '{"protected": "x"}',
        "eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0..AAAA.AAAA.AAA=",
        12345,
        "é.b.c.d.e",
    ],
)
def test_malformed_tokens(token: Any) -> None:
    with pytest.raises(errors.MalformedError):
        jwe.decrypt(token, oct_key(16), algorithms=["dir"])


@pytest.mark.parametrize(
    "text",
    [
        '{"alg":"dir","enc":x}',
        '{"alg":"dir","enc":}',
        '{"alg":"dir","enc":"A128GCM",}',
        '{"alg":"dir","enc":"A128GCM"',
        '{"alg":"dir","alg":"dir","enc":"A128GCM"}',
        '["alg","dir"]',
        '{"alg":NaN,"enc":"A128GCM"}',
        "",
    ],
)
def test_malformed_protected_headers(text: str) -> None:
    token = f"{b64e_str(text.encode())}..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA"
    with pytest.raises(errors.MalformedError):
        jwe.decrypt(token, oct_key(16), algorithms=["dir"])


def test_header_problems(keys: KeyFactory) -> None:
    key = oct_key(16)
    token = jwe.encrypt(b"x", key, "A128KW", "A128GCM")
    with pytest.raises(errors.InvalidHeaderError):
        jwe.decrypt(_with_header(token, alg=_DROP), key, algorithms=["A128KW"])
    with pytest.raises(errors.InvalidHeaderError):
        jwe.decrypt(_with_header(token, enc=_DROP), key, algorithms=["A128KW"])
    with pytest.raises(errors.CriticalHeaderError):
        jwe.decrypt(_with_header(token, crit=["exp"], exp=1), key, algorithms=["A128KW"])
    crit_token = jwe.encrypt(b"x", key, "A128KW", "A128GCM", header={"crit": ["exp"], "exp": 1})
    assert jwe.decrypt(crit_token, key, algorithms=["A128KW"], crit=["exp"]).plaintext == b"x"
    with pytest.raises(errors.LimitExceededError):
        jwe.decrypt(token, key, algorithms=["A128KW"], limits=Limits(max_token_size=10))


# -- keys ----------------------------------------------------------------------------------


def test_keys_that_do_not_fit_are_refused_before_any_crypto(keys: KeyFactory) -> None:
    rsa_public, _ = keys.pair("RSA-OAEP", "A128GCM")
    ec_public, ec_private = keys.pair("ECDH-ES", "A128GCM")
    token = jwe.encrypt(b"x", rsa_public, "RSA-OAEP", "A128GCM")
    small = Key.import_key(rsa.generate_private_key(65537, 1024))
    k256k1 = jwk.generate("EC", crv="secp256k1")
    cases: list[tuple[str, Any, str]] = [
        (token, ec_private, "RSA-OAEP"),  # wrong kty
        (token, rsa_public, "RSA-OAEP"),  # public key cannot decrypt
        (token, small, "RSA-OAEP"),  # < 2048 bits
        (token, oct_key(16), "RSA-OAEP"),
    ]
    for bad, key, alg in cases:
        with pytest.raises(errors.InvalidKeyError):
            jwe.decrypt(bad, key, algorithms=[alg])
    with pytest.raises(errors.InvalidKeyError):
        jwe.encrypt(b"x", small.public(), "RSA-OAEP-256", "A128GCM")
    with pytest.raises(errors.InvalidKeyError):
        jwe.encrypt(b"x", k256k1.public(), "ECDH-ES", "A128GCM")
    with pytest.raises(errors.InvalidKeyError):
        jwe.encrypt(b"x", jwk.generate("OKP", crv="Ed25519").public(), "ECDH-ES", "A128GCM")
    with pytest.raises(errors.InvalidKeyError):
        jwe.encrypt(b"x", oct_key(24), "A128KW", "A128GCM")
    with pytest.raises(errors.InvalidKeyError):
        jwe.encrypt(b"x", oct_key(16), "A256GCMKW", "A128GCM")
    with pytest.raises(errors.InvalidKeyError):
        jwe.encrypt(b"x", {"kty": "oct"}, "A128KW", "A128GCM")  # type: ignore[arg-type]
    assert ec_public.kty == "EC"


@pytest.mark.parametrize(
    ("alg", "good_ops", "bad_ops"),
    [
        ("RSA-OAEP-256", ["decrypt"], ["unwrapKey"]),
        ("A128KW", ["unwrapKey"], ["decrypt"]),
        ("A128GCMKW", ["unwrapKey"], ["wrapKey"]),
        ("PBES2-HS256+A128KW", ["unwrapKey"], ["decrypt"]),
        ("dir", ["decrypt"], ["unwrapKey"]),
        ("ECDH-ES", ["deriveKey"], ["deriveBits"]),
        ("ECDH-ES+A256KW", ["deriveKey"], ["decrypt"]),
    ],
)
def test_key_ops_name_the_operation(
    keys: KeyFactory, alg: str, good_ops: list[str], bad_ops: list[str]
) -> None:
    public, private = keys.pair(alg, "A128GCM")
    token = jwe.encrypt(b"x", public, alg, "A128GCM")
    if isinstance(private, str):
        private = Key.import_key({"kty": "oct", "k": b64e_str(private.encode())})
    members = private.to_dict(private=True)
    good = Key.import_key({**members, "key_ops": good_ops})
    bad = Key.import_key({**members, "key_ops": bad_ops})
    assert jwe.decrypt(token, good, algorithms=[alg]).plaintext == b"x"
    with pytest.raises(errors.InvalidKeyError):
        jwe.decrypt(token, bad, algorithms=[alg])
    signing = Key.import_key({**members, "use": "sig"})
    with pytest.raises(errors.InvalidKeyError):
        jwe.decrypt(token, signing, algorithms=[alg])

    # Another alg is refused: at import when it does not fit the key, else when used.
    def with_other_alg() -> None:
        other = "RSA1_5" if alg != "RSA1_5" else "A128KW"
        jwe.decrypt(token, Key.import_key({**members, "alg": other}), algorithms=[alg])

    with pytest.raises(errors.InvalidKeyError):
        with_other_alg()


def test_key_sets_pick_by_kid_and_try_each_candidate() -> None:
    first = jwk.generate("EC", crv="P-256", kid="a")
    second = jwk.generate("EC", crv="P-256", kid="b")
    key_set = KeySet([first, second])
    token = jwe.encrypt(b"for b", second.public(), "ECDH-ES+A128KW", "A128GCM")
    result = jwe.decrypt(token, key_set, algorithms=["ECDH-ES+A128KW"])
    assert result.key == second
    assert result.plaintext == b"for b"
    # Without a kid every fitting key is tried.
    anonymous = jwk.generate("EC", crv="P-256")
    unnamed = KeySet([anonymous, _no_kid_private(second)])
    untagged = jwe.encrypt(b"anyone", _no_kid(second), "ECDH-ES", "A128GCM")
    assert jwe.decrypt(untagged, unnamed, algorithms=["ECDH-ES"]).plaintext == b"anyone"
    # A key set where no key can open it: one error, one message.
    with pytest.raises(errors.DecryptionError):
        jwe.decrypt(untagged, KeySet([anonymous]), algorithms=["ECDH-ES"])
    with pytest.raises(errors.KeyNotFoundError):
        jwe.decrypt(token, KeySet([first]), algorithms=["ECDH-ES+A128KW"])
    with pytest.raises(errors.KeyNotFoundError):
        jwe.decrypt(untagged, KeySet([oct_key(16)]), algorithms=["ECDH-ES"])


def _no_kid(key: Key) -> Key:
    members = key.public().to_dict()
    members.pop("kid", None)
    return Key.import_key(members)


def _no_kid_private(key: Key) -> Key:
    members = key.to_dict(private=True)
    members.pop("kid", None)
    return Key.import_key(members)


# -- JSON serialization headers ------------------------------------------------------------


def test_json_headers_must_be_disjoint() -> None:
    key = oct_key(16, kid="k")
    with pytest.raises(errors.InvalidHeaderError, match="disjoint"):
        jwe.encrypt_json(
            b"x", [jwe.Recipient(key, "A128KW", {"cty": "a"})], "A128GCM", unprotected={"cty": "b"}
        )
    obj = jwe.encrypt_json(b"x", [jwe.Recipient(key, "A128KW")], "A128GCM", protected={"cty": "a"})
    for forged_unprotected in ({"cty": "b"}, {"enc": "A128GCM"}, {"kid": "k"}):
        forged = {**obj, "unprotected": forged_unprotected}
        with pytest.raises(errors.InvalidHeaderError, match="disjoint"):
            jwe.decrypt_json(forged, key, algorithms=["A128KW"])


def test_json_structure_is_strict() -> None:
    key = oct_key(16)
    obj = jwe.encrypt_json(b"x", [jwe.Recipient(key, "A128KW")], "A128GCM")
    for forged in (
        {**obj, "payload": "x"},
        {**obj, "encrypted_key": "AAAA"},
        {**obj, "recipients": []},
        {**obj, "recipients": "x"},
        {**obj, "recipients": [{**obj["recipients"][0], "extra": 1}]},
        {k: v for k, v in obj.items() if k != "ciphertext"},
        {**obj, "iv": 5},
        {**obj, "recipients": [obj["recipients"][0]] * 17},
    ):
        with pytest.raises((errors.MalformedError, errors.LimitExceededError)):
            jwe.decrypt_json(forged, key, algorithms=["A128KW"])
    with pytest.raises(errors.MalformedError):
        jwe.decrypt_json('{"a":1,"a":2}', key, algorithms=["A128KW"])
    with pytest.raises(errors.MalformedError):
        jwe.decrypt_json(5, key, algorithms=["A128KW"])  # type: ignore[arg-type]


def test_json_unprotected_headers_are_not_integrity_protected_but_aad_is() -> None:
    key = oct_key(16)
    obj = jwe.encrypt_json(
        b"x", [jwe.Recipient(key, "A128KW")], "A128GCM", aad="context", unprotected={"x": 1}
    )
    assert jwe.decrypt_json({**obj, "unprotected": {"x": 2}}, key, algorithms=["A128KW"]).plaintext
    with pytest.raises(errors.DecryptionError):
        jwe.decrypt_json({**obj, "aad": b64e_str(b"other")}, key, algorithms=["A128KW"])
    with pytest.raises(errors.DecryptionError):
        jwe.decrypt_json({k: v for k, v in obj.items() if k != "aad"}, key, algorithms=["A128KW"])


def test_json_recipient_errors_collapse(keys: KeyFactory) -> None:
    key = oct_key(16)
    other = oct_key(16)
    obj = jwe.encrypt_json(
        b"x", [jwe.Recipient(key, "A128KW"), jwe.Recipient(other, "A128GCMKW")], "A128GCM"
    )
    # A key without alg would fit both algorithms: one key, one algorithm refuses it.
    with pytest.raises(errors.AlgorithmNotAllowedError, match="exactly one algorithm"):
        jwe.decrypt_json(obj, oct_key(16), algorithms=["A128KW", "A128GCMKW"])
    with pytest.raises(errors.DecryptionError):
        jwe.decrypt_json(obj, oct_key(16, alg="A128KW"), algorithms=["A128KW", "A128GCMKW"])
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jwe.decrypt_json(obj, key, algorithms=["A256KW"])
    assert jwe.decrypt_json(obj, other, algorithms=["A128GCMKW"]).header["alg"] == "A128GCMKW"


# -- randomness ----------------------------------------------------------------------------


def test_public_api_cannot_fix_the_cek_or_iv() -> None:
    for function in (jwe.encrypt, jwe.encrypt_json):
        names = set(inspect.signature(function).parameters)
        assert not {n for n in names if "iv" in n.lower().split("_") or "cek" in n.lower()}


def test_cek_and_iv_come_from_os_urandom(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = os.urandom

    def recording(size: int) -> bytes:
        calls.append(size)
        return real(size)

    key = oct_key(16)
    monkeypatch.setattr(os, "urandom", recording)
    jwe.encrypt(b"x", key, "A128KW", "A256CBC-HS512")
    assert calls == [64, 16]  # the CEK, then the IV

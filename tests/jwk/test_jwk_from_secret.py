"""Key.from_secret / jwk.from_secret: shared secrets as keys, short ones only by opt-in."""

from __future__ import annotations

import base64
import pickle
import warnings

import pytest

from josekit import Key, jwk, jws, jwt
from josekit.errors import InvalidKeyError, JoseError, MalformedError, WeakKeyWarning

# RFC 7515 Appendix A.1: the HS256 example key and its signed JWS.
RFC7515_A1_K = (
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
)
RFC7515_A1_JWS = (
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)


def _raw(k: str) -> bytes:
    return base64.urlsafe_b64decode(k + "=" * (-len(k) % 4))


def test_bytes_are_taken_as_they_are_rfc7515_a1() -> None:
    key = Key.from_secret(_raw(RFC7515_A1_K), alg="HS256")
    assert key.to_dict(private=True)["k"] == RFC7515_A1_K
    assert jws.verify(RFC7515_A1_JWS, key, algorithms=["HS256"]).header["alg"] == "HS256"
    assert jwk.from_secret(_raw(RFC7515_A1_K)) == Key.import_key({"kty": "oct", "k": RFC7515_A1_K})


def test_a_str_is_utf8_never_base64_or_hex() -> None:
    text = "ünïcödé-secret-that-is-long-enough-for-hs256"
    assert Key.from_secret(text).crypto_key == text.encode("utf-8")
    # Text that happens to be valid base64url or hex stays text.
    assert Key.from_secret(RFC7515_A1_K).crypto_key == RFC7515_A1_K.encode("ascii")
    hex_text = "00" * 32
    assert Key.from_secret(hex_text).crypto_key == hex_text.encode("ascii")


def test_kid_and_alg_are_recorded() -> None:
    key = Key.from_secret(b"k" * 48, kid="legacy-1", alg="HS384")
    assert (key.kty, key.kid, key.alg, key.size) == ("oct", "legacy-1", "HS384", 384)
    token = jwt.encode({"sub": "a"}, key, "HS384")
    assert jwt.decode(token, key, algorithms=["HS384"]).claims == {"sub": "a"}
    with pytest.raises(JoseError):
        jws.sign(b"x", key, "HS256")  # the key is for HS384 only


@pytest.mark.parametrize(
    ("alg", "needed"), [(None, 32), ("HS256", 32), ("HS384", 48), ("HS512", 64)]
)
def test_a_short_secret_is_refused_by_default(alg: str | None, needed: int) -> None:
    Key.from_secret(b"s" * needed, alg=alg)  # exactly long enough
    with pytest.raises(InvalidKeyError) as excinfo:
        Key.from_secret(b"s" * (needed - 1), alg=alg)
    message = str(excinfo.value)
    assert f"shorter than the {needed} bytes" in message
    assert "allow_short=True" in message
    assert "sss" not in message  # never the secret


def test_allow_short_accepts_a_legacy_secret_with_one_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        key = Key.from_secret("legacy", kid="old", allow_short=True)
        token = jws.sign(b"payload", key, "HS256")
        assert jws.verify(token, key, algorithms=["HS256"]).payload == b"payload"
        jwt.decode(jwt.encode({"a": 1}, key, "HS256"), key, algorithms=["HS256"])
    weak = [w for w in caught if issubclass(w.category, WeakKeyWarning)]
    assert len(weak) == 1  # once, when the key was made; never on use
    assert issubclass(WeakKeyWarning, UserWarning)
    assert "6-byte secret for HS256, which needs 32" in str(weak[0].message)
    assert weak[0].filename == __file__  # points at the caller
    assert "legacy" not in str(weak[0].message)
    assert key.is_weak
    assert "WEAK" in repr(key)
    assert "legacy" not in repr(key)
    strong = Key.from_secret(b"x" * 32)
    assert not strong.is_weak
    assert "WEAK" not in repr(strong)


def test_a_weak_key_does_not_make_other_short_keys_usable() -> None:
    short = Key.import_key({"kty": "oct", "k": "c2hvcnQ"})
    with pytest.raises(InvalidKeyError, match="at least 256 bits"):
        jws.sign(b"x", short, "HS256")


def test_allow_short_is_for_hmac_only() -> None:
    with pytest.raises(InvalidKeyError, match="HMAC secrets"):
        Key.from_secret(b"k" * 8, alg="A128KW", allow_short=True)
    with pytest.raises(InvalidKeyError, match="needs an RSA key"):
        Key.from_secret(b"k" * 32, alg="RS256")
    assert Key.from_secret(b"k" * 16, alg="A128KW").alg == "A128KW"


@pytest.mark.parametrize("bad", [b"", "", 5, None, ["a"]])
def test_empty_or_non_text_secrets_are_refused(bad: object) -> None:
    with pytest.raises(InvalidKeyError):
        Key.from_secret(bad)  # type: ignore[arg-type]


def test_text_or_bytes_where_a_key_is_expected_shows_from_secret() -> None:
    for secret in ("my-shared-secret", b"my-shared-secret"):
        with pytest.raises(InvalidKeyError) as signing:
            jws.sign(b"x", secret, "HS256")  # type: ignore[arg-type]
        assert 'Key.from_secret(secret, alg="HS256")' in str(signing.value)
        token = jws.sign(b"x", Key.from_secret(b"k" * 32), "HS256")
        with pytest.raises(InvalidKeyError) as verifying:
            jws.verify(token, secret, algorithms=["HS256"])  # type: ignore[arg-type]
        assert 'Key.from_secret(secret, alg="HS256")' in str(verifying.value)
        assert "my-shared-secret" not in str(signing.value) + str(verifying.value)


def test_import_key_of_a_secret_says_from_secret() -> None:
    with pytest.raises(MalformedError, match=r"Key\.from_secret"):
        Key.import_key("my-shared-secret")
    with pytest.raises(MalformedError, match=r"Key\.from_secret"):
        Key.import_key(b"my-shared-secret")
    with pytest.raises(MalformedError) as der:
        Key.import_key(b"\x30\x03\x02\x01\x00")  # DER-shaped bytes that are no key
    assert "from_secret" not in str(der.value)


def test_a_weak_key_pickles_to_an_equal_key() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        key = Key.from_secret(b"short", allow_short=True)
    assert pickle.loads(pickle.dumps(key)) == key


def test_jwe_with_text_as_a_key_shows_from_secret() -> None:
    from josekit import jwe

    with pytest.raises(InvalidKeyError) as excinfo:
        jwe.encrypt(b"x", "0123456789abcdef", "A128KW", "A128GCM")  # type: ignore[arg-type]
    assert "Key.from_secret(secret, alg='A128KW')" in str(excinfo.value)
    assert "0123456789abcdef" not in str(excinfo.value)
    kek = Key.from_secret("0123456789abcdef", alg="A128KW")
    token = jwe.encrypt(b"x", kek, "A128KW", "A128GCM")
    assert jwe.decrypt(token, kek, algorithms=["A128KW"]).plaintext == b"x"

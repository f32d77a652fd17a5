"""Issue #19 point 7: encrypting to a hostile public key is an InvalidKeyError, never bare.

RSA keys with a modulus over 3072 bits and an exponent over 64 bits (OpenSSL refuses to use
them) are refused at import; an X25519/X448 low-order point makes the key agreement fail.
"""

from __future__ import annotations

import secrets

import pytest

from josekit import errors, jwe
from josekit._b64 import b64e_str
from josekit.algorithms.key_management import KEY_MANAGEMENT
from josekit.jwk import Key


def b64_int(value: int) -> str:
    return b64e_str(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def test_rsa_large_modulus_with_a_huge_exponent_is_refused_at_import() -> None:
    n = secrets.randbits(4096) | (1 << 4095) | 1
    e = (1 << 65) + 1
    with pytest.raises(errors.InvalidKeyError, match="at most 64 bits"):
        Key.import_key({"kty": "RSA", "n": b64_int(n), "e": b64_int(e)})
    # Up to 3072 bits OpenSSL takes any exponent: such a key still imports.
    small = secrets.randbits(3072) | (1 << 3071) | 1
    assert Key.import_key({"kty": "RSA", "n": b64_int(small), "e": b64_int(e)}).size == 3072


LOW_ORDER = {"X25519": b"\x00" * 32, "X448": b"\x00" * 56}
SUITES = [
    (name, crv)
    for name, crv in (("HPKE-3", "X25519"), ("HPKE-4", "X25519"), ("HPKE-5", "X448"))
    if name in KEY_MANAGEMENT and KEY_MANAGEMENT[name].suite.missing() is None  # type: ignore[attr-defined]
]


@pytest.mark.parametrize(("alg", "crv"), SUITES)
def test_hpke_to_a_low_order_point_is_an_invalid_key(alg: str, crv: str) -> None:
    key = Key.import_key({"kty": "OKP", "crv": crv, "x": b64e_str(LOW_ORDER[crv])})
    with pytest.raises(errors.InvalidKeyError, match="low-order point"):
        jwe.encrypt(b"x", key, alg, None)
    with pytest.raises(errors.InvalidKeyError, match="low-order point"):
        jwe.encrypt(b"x", key, f"{alg}-KE", "A128GCM")

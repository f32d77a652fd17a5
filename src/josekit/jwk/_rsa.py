"""RSA keys (``kty: "RSA"``, RFC 7518 §6.3): import, export, checks and generation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from .._b64 import b64e_str
from ..errors import InvalidKeyError, UnsupportedAlgorithmError
from ._members import b64_to_int, fail, int_to_b64, member_bytes, reject_option
from ._roca import has_roca_fingerprint
from ._row import KeyMaterial, KeyType

__all__ = ["KEY_TYPE"]

_PRIVATE = ("d", "p", "q", "dp", "dq", "qi")
_CRT = ("p", "q", "dp", "dq", "qi")
_CRT_MEMBERS = frozenset(_CRT)
# RSA moduli josekit accepts at import. Below 2048 bits the algorithms refuse the key for use;
# above 16384 bits (OpenSSL's OPENSSL_RSA_MAX_MODULUS_BITS) a key only costs time.
_MIN_IMPORT_BITS = 512
_MAX_BITS = 16384
# Checking a private key costs time that grows with the fourth power of its size (primality
# of p and q; about 1 s at 4096 bits, over 10 s at 8192 on a busy core), and a JWK with ``d``
# alone needs pure-Python modular exponentiations to recover p and q (seconds at 8192 bits).
# Those bounds keep the work of importing a private key a caller was handed finite.
_MAX_PRIVATE_BITS = 8192
_MAX_D_ONLY_BITS = 4096
# OpenSSL refuses to use a public key with a modulus over 3072 bits and an exponent over
# 64 bits (RSA_SMALL_MODULUS_BITS, RSA_MAX_PUBKEY_EXP_BITS): such a key is refused here.
_SMALL_MODULUS_BITS = 3072
_MAX_LARGE_MODULUS_EXPONENT_BITS = 64


def _check_public(n: int, e: int) -> None:
    """Checks every RSA key gets, whatever form it was imported from."""
    bits = n.bit_length()
    if bits > _MAX_BITS:
        fail(f"RSA modulus 'n' has {bits} bits; josekit accepts at most {_MAX_BITS}")
    if bits < _MIN_IMPORT_BITS or not n & 1:  # n & 1: one digit; n % 2 reads every digit
        fail(
            f"RSA modulus 'n' must be odd and at least {_MIN_IMPORT_BITS} bits "
            "(the algorithms need 2048)"
        )
    if e < 3 or not e & 1 or e >= n:
        fail("RSA public exponent 'e' must be odd, at least 3 and below n (65537 is usual)")
    if bits > _SMALL_MODULUS_BITS and e.bit_length() > _MAX_LARGE_MODULUS_EXPONENT_BITS:
        fail(
            f"RSA public exponent 'e' has {e.bit_length()} bits: with a modulus over "
            f"{_SMALL_MODULUS_BITS} bits, OpenSSL uses exponents of at most "
            f"{_MAX_LARGE_MODULUS_EXPONENT_BITS} bits (65537 is usual)"
        )
    if has_roca_fingerprint(n):
        fail(
            "RSA modulus has the ROCA fingerprint (CVE-2017-15361): its factors can be "
            "computed, so the key is broken; replace it with a newly generated key"
        )


def _uint64(text: str, raw: bytes) -> str:
    """The Base64urlUInt (the fewest octets, RFC 7518 §2) of a member decoded to ``raw``.

    b64d accepts only canonical base64url, so without a leading zero octet the member's text
    is already that form."""
    if raw[0] and type(text) is str:
        return text
    return b64e_str(raw.lstrip(b"\x00"))


def _from_jwk(jwk: Mapping[str, Any]) -> KeyMaterial:
    if "oth" in jwk:
        raise UnsupportedAlgorithmError(
            "RSA JWKs with more than two primes ('oth') are not supported; use a two-prime RSA key"
        )
    nb, eb = member_bytes(jwk, "n"), member_bytes(jwk, "e")
    if not nb or not eb:
        fail(f"JWK member {'n' if not nb else 'e'!r} is empty")
    n, e = int.from_bytes(nb, "big"), int.from_bytes(eb, "big")
    _check_public(n, e)  # n and e are not 0 from here
    public_numbers = rsa.RSAPublicNumbers(e, n)
    if "d" not in jwk:
        if not _CRT_MEMBERS.isdisjoint(jwk):
            fail(f"RSA JWK has private members {[m for m in _CRT if m in jwk]} but no 'd'")
        try:
            pub = public_numbers.public_key()
        except ValueError as exc:
            raise InvalidKeyError(f"invalid RSA public key: {exc}") from None
        members = {"kty": "RSA", "n": _uint64(jwk["n"], nb), "e": _uint64(jwk["e"], eb)}
        return ("RSA", None, members, None, pub, pub, None, None)
    bits = n.bit_length()
    if bits > _MAX_PRIVATE_BITS:
        fail(
            f"RSA private key has {bits} bits; josekit imports private keys of at most "
            f"{_MAX_PRIVATE_BITS}"
        )
    d = b64_to_int(jwk, "d")
    if not 1 < d < n:
        fail("RSA private exponent 'd' must be between 1 and n")
    present = [m for m in _CRT if m in jwk]
    if present and len(present) != len(_CRT):
        fail("RSA JWK must have all of p, q, dp, dq, qi or none of them")
    if not present and bits > _MAX_D_ONLY_BITS:
        fail(
            f"RSA private JWK without p, q, dp, dq, qi has {bits} bits: josekit recovers the "
            f"factors of keys of at most {_MAX_D_ONLY_BITS} bits; export the key with its "
            "CRT members"
        )
    if present:
        p, q, dp, dq, qi = (b64_to_int(jwk, m) for m in _CRT)
        if not (1 < p < n and 1 < q < n) or p * q != n:
            fail("RSA JWK is inconsistent: p and q are not the factors of n")
        if dp != d % (p - 1) or dq != d % (q - 1) or (qi * q) % p != 1:
            fail("RSA JWK is inconsistent: dp, dq or qi do not match p, q and d")
    else:
        # cryptography refuses a wrong d with one modular exponentiation before recovering.
        try:
            p, q = rsa.rsa_recover_prime_factors(n, e, d)
        except ValueError:
            fail("RSA JWK is inconsistent: d does not match n and e")
        dp, dq, qi = rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q)
    try:
        # cryptography checks the rest (p and q prime enough, e * d = 1 mod lcm(p-1, q-1)).
        priv = rsa.RSAPrivateNumbers(p, q, d, dp, dq, qi, public_numbers).private_key()
    except ValueError as exc:
        raise InvalidKeyError(f"invalid RSA private key: {exc}") from None
    return _material(priv.public_key(), priv)


def _from_crypto(obj: Any) -> KeyMaterial:
    private = obj if isinstance(obj, rsa.RSAPrivateKey) else None
    pub = obj.public_key() if private is not None else obj
    numbers = pub.public_numbers()
    _check_public(numbers.n, numbers.e)
    return _material(pub, private)


def _material(pub: rsa.RSAPublicKey, priv: rsa.RSAPrivateKey | None) -> KeyMaterial:
    pn = pub.public_numbers()
    # Every RSA member is a Base64urlUInt: the fewest octets that hold it (RFC 7518 §2).
    public_members = {"kty": "RSA", "n": int_to_b64(pn.n), "e": int_to_b64(pn.e)}
    private_members = None
    if priv is not None:
        sn = priv.private_numbers()
        private_members = {
            "d": int_to_b64(sn.d),
            "p": int_to_b64(sn.p),
            "q": int_to_b64(sn.q),
            "dp": int_to_b64(sn.dmp1),
            "dq": int_to_b64(sn.dmq1),
            "qi": int_to_b64(sn.iqmp),
        }
    return ("RSA", None, public_members, private_members, priv or pub, pub, None, None)


def _generate(size: int | None, crv: str | None, alg: str | None) -> KeyMaterial:
    bits = 2048 if size is None else size
    if bits < 2048 or bits % 8 or bits > _MAX_PRIVATE_BITS:
        raise InvalidKeyError(
            f"RSA keys must be at least 2048 bits and at most {_MAX_PRIVATE_BITS}, a multiple of 8"
        )
    reject_option(crv, "crv", "RSA")
    return _from_crypto(rsa.generate_private_key(65537, bits))


def _size(crypto: Any, crv: str | None, alg: str | None) -> int:
    return int(crypto.key_size)


KEY_TYPE = KeyType(
    kty="RSA",
    required=("e", "kty", "n"),
    private=_PRIVATE,
    crypto_types=(rsa.RSAPrivateKey, rsa.RSAPublicKey),
    from_jwk=_from_jwk,
    from_crypto=_from_crypto,
    generate=_generate,
    size=_size,
    other=frozenset({"oth"}),
)
"""The RSA row of the ``kty`` table."""

"""Algorithm Key Pair (``kty: "AKP"``) keys: ML-DSA (RFC 9964) and post-quantum HPKE KEMs.

An AKP JWK is ``{"kty": "AKP", "alg": ..., "pub": ..., "priv": ...}``:

* ``alg`` is REQUIRED on every AKP key (RFC 9964 §3) and fixes the key format.
* ``pub`` is the public key, of exactly the size the algorithm gives; ``priv`` is the seed
  the key pair is derived from. When both are present, ``pub`` must be the public key the
  seed derives (RFC 9964 §7.4).
* The RFC 7638 thumbprint members are ``alg``, ``kty`` and ``pub`` (RFC 9964 §6).

Algorithms:

* ``ML-DSA-44``, ``ML-DSA-65``, ``ML-DSA-87`` (RFC 9964 §4-§5): ``pub`` is the FIPS 204
  public key, ``priv`` the 32-byte seed (the expanded private key form is not accepted).
* ``HPKE-9``, ``HPKE-10``, ``HPKE-12``, ``HPKE-13`` and their ``-KE`` forms
  (draft-ietf-jose-hpke-pq-pqt-00 §4): ``pub``/``priv`` are the HPKE SerializePublicKey()/
  SerializePrivateKey() of the KEM of draft-ietf-hpke-pq: MLKEM768-X25519 (``HPKE-9``, 32-byte
  seed, expanded with SHAKE256 to the ML-KEM seed and the X25519 key), MLKEM1024-P384
  (``HPKE-10``, 32-byte seed, expanded with SHAKE256 to the ML-KEM seed and the P-384 scalar),
  ML-KEM-768 (``HPKE-12``) and ML-KEM-1024 (``HPKE-13``), both with the 64-byte seed
  ``d || z``. ``HPKE-8`` (MLKEM768-P256) keys are not supported: pyca/cryptography has no
  such KEM.

An AKP key whose ``alg`` josekit does not implement raises
:class:`~josekit.errors.UnsupportedAlgorithmError`, so a JWK Set holding one still imports
with that key skipped (RFC 7517 §5).
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, x25519

from .._b64 import b64e_str
from ..errors import InvalidKeyError, UnsupportedAlgorithmError
from ._members import member_bytes, reject_option
from ._row import KeyMaterial, KeyType

try:  # ML-DSA and ML-KEM arrived in pyca/cryptography 47, HPKE in 50.
    from cryptography.hazmat.primitives import hpke as _hpke
    from cryptography.hazmat.primitives.asymmetric import mldsa as _mldsa
    from cryptography.hazmat.primitives.asymmetric import mlkem as _mlkem
except ImportError:  # pragma: no cover - depends on the installed cryptography
    _mldsa = _mlkem = _hpke = None  # type: ignore[assignment]

__all__ = ["AKP_ALGORITHMS", "KEY_TYPE", "AkpAlgorithm"]

_P384_ORDER = int(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
    16,
)

Derived = tuple[Any, Any, bytes]
"""What a seed gives: ``(private key, public key, serialized public key)``."""


@dataclass(frozen=True, slots=True)
class AkpAlgorithm:
    """One AKP ``alg``: its key format and how a key pair comes from its seed.

    Attributes:
        name: the ``alg``.
        family: ``"ML-DSA"``, or the HPKE KEM (``"ML-KEM-768"``, ``"MLKEM768-X25519"``...).
        public_size: bytes of ``pub``.
        seed_size: bytes of ``priv``.
        signature_size: bytes of an ML-DSA signature (0 for a KEM).
        private_cls, public_cls: the ``cryptography`` classes :meth:`Key.import_key` accepts
            as key objects for this ``alg`` (None when a key object does not name its ``alg``).
    """

    name: str
    family: str
    public_size: int
    seed_size: int
    signature_size: int
    private_cls: Any
    public_cls: Any
    from_seed: Callable[[bytes], Derived]
    from_public: Callable[[bytes], Any]


def _shake256(seed: bytes, size: int) -> bytes:
    digest = hashes.Hash(hashes.SHAKE256(size))
    digest.update(seed)
    return digest.finalize()


def _mldsa_row(name: str, private_cls: Any, public_cls: Any, pub: int, sig: int) -> AkpAlgorithm:
    def from_seed(seed: bytes) -> Derived:
        private = private_cls.from_seed_bytes(seed)
        public = private.public_key()
        return private, public, public.public_bytes_raw()

    return AkpAlgorithm(
        name,
        "ML-DSA",
        pub,
        32,
        sig,
        private_cls,
        public_cls,
        from_seed,
        public_cls.from_public_bytes,
    )


def _mlkem_from_seed(private_cls: Any) -> Callable[[bytes], Derived]:
    def from_seed(seed: bytes) -> Derived:  # SerializePrivateKey of ML-KEM: the seed d || z
        private = private_cls.from_seed_bytes(seed)
        public = private.public_key()
        return private, public, public.public_bytes_raw()

    return from_seed


def _mlkem768_x25519(seed: bytes) -> Derived:
    # draft-ietf-hpke-pq (0x647a, as draft-connolly-cfrg-xwing-kem): SHAKE256(seed, 96) is the
    # ML-KEM-768 seed (64 bytes) followed by the X25519 private key (32 bytes).
    expanded = _shake256(seed, 96)
    pq = _mlkem.MLKEM768PrivateKey.from_seed_bytes(expanded[:64])
    t = x25519.X25519PrivateKey.from_private_bytes(expanded[64:])
    pub = pq.public_key().public_bytes_raw() + t.public_key().public_bytes_raw()
    private = _hpke.MLKEM768X25519PrivateKey(pq, t)
    return private, private.public_key(), pub


def _mlkem768_x25519_public(pub: bytes) -> Any:
    return _hpke.MLKEM768X25519PublicKey(
        _mlkem.MLKEM768PublicKey.from_public_bytes(pub[:1184]),
        x25519.X25519PublicKey.from_public_bytes(pub[1184:]),
    )


def _mlkem1024_p384(seed: bytes) -> Derived:
    # draft-ietf-hpke-pq (0x0051): SHAKE256(seed) gives the ML-KEM-1024 seed (64 bytes), then
    # the P-384 private scalar (48 bytes, big-endian).
    expanded = _shake256(seed, 112)
    scalar = int.from_bytes(expanded[64:], "big")
    if not 0 < scalar < _P384_ORDER:  # pragma: no cover - probability below 2**-189
        raise InvalidKeyError(
            "this MLKEM1024-P384 seed expands to an out-of-range P-384 scalar; josekit does "
            "not implement the resampling step of draft-ietf-hpke-pq"
        )
    pq = _mlkem.MLKEM1024PrivateKey.from_seed_bytes(expanded[:64])
    t = ec.derive_private_key(scalar, ec.SECP384R1())
    from cryptography.hazmat.primitives import serialization

    point = t.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    private = _hpke.MLKEM1024P384PrivateKey(pq, t)
    return private, private.public_key(), pq.public_key().public_bytes_raw() + point


def _mlkem1024_p384_public(pub: bytes) -> Any:
    return _hpke.MLKEM1024P384PublicKey(
        _mlkem.MLKEM1024PublicKey.from_public_bytes(pub[:1568]),
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP384R1(), pub[1568:]),
    )


def _table() -> dict[str, AkpAlgorithm]:
    rows: list[AkpAlgorithm] = []
    if _mldsa is not None:
        rows += [
            _mldsa_row("ML-DSA-44", _mldsa.MLDSA44PrivateKey, _mldsa.MLDSA44PublicKey, 1312, 2420),
            _mldsa_row("ML-DSA-65", _mldsa.MLDSA65PrivateKey, _mldsa.MLDSA65PublicKey, 1952, 3309),
            _mldsa_row("ML-DSA-87", _mldsa.MLDSA87PrivateKey, _mldsa.MLDSA87PublicKey, 2592, 4627),
        ]
    if _hpke is not None and _mlkem is not None:
        kems = (
            (9, "MLKEM768-X25519", 1216, 32, _mlkem768_x25519, _mlkem768_x25519_public),
            (10, "MLKEM1024-P384", 1665, 32, _mlkem1024_p384, _mlkem1024_p384_public),
            (
                12,
                "ML-KEM-768",
                1184,
                64,
                _mlkem_from_seed(_mlkem.MLKEM768PrivateKey),
                _mlkem.MLKEM768PublicKey.from_public_bytes,
            ),
            (
                13,
                "ML-KEM-1024",
                1568,
                64,
                _mlkem_from_seed(_mlkem.MLKEM1024PrivateKey),
                _mlkem.MLKEM1024PublicKey.from_public_bytes,
            ),
        )
        # draft-ietf-jose-hpke-pq-pqt-00 §3: the suite number n of HPKE-n and HPKE-n-KE.
        for n, kem, pub, seed, from_seed, from_public in kems:
            for name in (f"HPKE-{n}", f"HPKE-{n}-KE"):
                rows.append(
                    AkpAlgorithm(name, kem, pub, seed, 0, None, None, from_seed, from_public)
                )
    return {row.name: row for row in rows}


AKP_ALGORITHMS: Mapping[str, AkpAlgorithm] = _table()
"""The AKP algorithms josekit implements, by ``alg`` (empty if cryptography lacks them)."""


def _crypto_types() -> tuple[type, ...]:
    """The ``cryptography`` key classes imported as AKP keys (those that name their ``alg``)."""
    out: list[type] = []
    for row in AKP_ALGORITHMS.values():
        if row.private_cls is not None:
            out.extend((row.private_cls, row.public_cls))
    return tuple(out)


def _algorithm(alg: object) -> AkpAlgorithm:
    if not isinstance(alg, str):
        raise InvalidKeyError(
            "an AKP JWK must have an 'alg' string member (RFC 9964 §3), e.g. 'ML-DSA-65'"
        )
    row = AKP_ALGORITHMS.get(alg)
    if row is None:
        known = ", ".join(AKP_ALGORITHMS) or "none: this cryptography release lacks them"
        raise UnsupportedAlgorithmError(
            f"AKP key alg {alg!r} is not supported (josekit implements {known})"
        )
    return row


def _from_jwk(jwk: Mapping[str, Any]) -> KeyMaterial:
    row = _algorithm(jwk.get("alg"))
    pub = member_bytes(jwk, "pub")
    if len(pub) != row.public_size:
        raise InvalidKeyError(
            f"AKP {row.name} public key 'pub' must be {row.public_size} bytes, not {len(pub)}"
        )
    try:
        public = row.from_public(pub)
    except ValueError as exc:
        raise InvalidKeyError(f"invalid {row.name} public key 'pub': {exc}") from None
    if "priv" not in jwk:
        return _material(row, public, None, pub, None)
    seed = member_bytes(jwk, "priv")
    if len(seed) != row.seed_size:
        raise InvalidKeyError(
            f"AKP {row.name} private key 'priv' must be the {row.seed_size}-byte seed, "
            f"not {len(seed)} bytes"
        )
    private, _, derived = row.from_seed(seed)
    if not hmac.compare_digest(derived, pub):
        raise InvalidKeyError(
            f"AKP {row.name} private seed 'priv' does not match the public key 'pub'"
        )
    return _material(row, public, private, pub, seed)


def _from_crypto(obj: Any) -> KeyMaterial:
    for row in AKP_ALGORITHMS.values():
        if row.private_cls is not None and isinstance(obj, row.private_cls):
            public = obj.public_key()
            return _material(row, public, obj, public.public_bytes_raw(), obj.private_bytes_raw())
        if row.public_cls is not None and isinstance(obj, row.public_cls):
            return _material(row, obj, None, obj.public_bytes_raw(), None)
    raise UnsupportedAlgorithmError(  # pragma: no cover - crypto_types lists the classes above
        f"{type(obj).__name__} is not an AKP key"
    )


def _generate(size: int | None, crv: str | None, alg: str | None) -> KeyMaterial:
    """A new AKP private key for ``alg`` from a fresh random seed."""
    reject_option(size, "size", "AKP")
    reject_option(crv, "crv", "AKP")
    if alg is None:
        raise InvalidKeyError(
            "AKP keys need alg=: one of " + ", ".join(AKP_ALGORITHMS) + " (RFC 9964 §3)"
        )
    row = _algorithm(alg)
    seed = os.urandom(row.seed_size)
    private, public, pub = row.from_seed(seed)
    return _material(row, public, private, pub, seed)


def _material(
    row: AkpAlgorithm, public: Any, private: Any, pub: bytes, seed: bytes | None
) -> KeyMaterial:
    public_members = {"kty": "AKP", "alg": row.name, "pub": b64e_str(pub)}
    private_members = {"priv": b64e_str(seed)} if seed is not None else None
    return ("AKP", None, public_members, private_members, private or public, public, None, row.name)


def _size(crypto: Any, crv: str | None, alg: str | None) -> int:
    return AKP_ALGORITHMS[alg or ""].public_size * 8


KEY_TYPE = KeyType(
    kty="AKP",
    required=("alg", "kty", "pub"),
    private=("priv",),
    crypto_types=_crypto_types(),
    from_jwk=_from_jwk,
    from_crypto=_from_crypto,
    generate=_generate,
    size=_size,
)
"""The AKP row of the ``kty`` table: the key's ``alg`` is one of :data:`AKP_ALGORITHMS`."""

"""Key generation: every key type josekit supports, from the OS CSPRNG."""

from __future__ import annotations

import os
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .._b64 import b64e_str
from ..errors import InvalidKeyError, UnsupportedAlgorithmError
from ._akp import akp_generate
from ._curves import EC_CURVES, OKP_CURVES
from ._key import Key

__all__ = ["generate"]


def generate(
    kty: str,
    *,
    size: int | None = None,
    crv: str | None = None,
    kid: str | None = None,
    alg: str | None = None,
    use: str | None = None,
) -> Key:
    """Generate a new private (or secret) key.

    Args:
        kty: ``"RSA"`` (``size`` bits, default 2048, at least 2048), ``"EC"`` (``crv`` one of
            P-256, P-384, P-521, secp256k1; default P-256), ``"OKP"`` (``crv`` one of Ed25519,
            Ed448, X25519, X448; default Ed25519), ``"oct"`` (``size`` bits, default 256) or
            ``"AKP"`` (``alg`` required: ``ML-DSA-44``/``-65``/``-87`` of RFC 9964, or an HPKE
            post-quantum algorithm ``HPKE-10`` .. ``HPKE-17`` or its ``-KE`` form).
        size: key size in bits, for ``RSA`` and ``oct``.
        crv: curve, for ``EC`` and ``OKP``.
        kid: key id recorded in the key.
        alg: algorithm recorded in the key; the key is then used only with it.
        use: ``"sig"`` or ``"enc"``, recorded in the key; the key is then used only for it.

    Raises:
        UnsupportedAlgorithmError: unknown ``kty`` or ``crv``.
        InvalidKeyError: a size that is too small or not a whole number of bytes.
    """
    meta: dict[str, Any] = {
        k: v for k, v in (("kid", kid), ("alg", alg), ("use", use)) if v is not None
    }
    if kty == "RSA":
        bits = 2048 if size is None else size
        if bits < 2048 or bits % 8:
            raise InvalidKeyError("RSA keys must be at least 2048 bits, a multiple of 8")
        _no(crv, "crv", kty)
        return Key.import_key(rsa.generate_private_key(65537, bits), **meta)
    if kty == "EC":
        _no(size, "size", kty)
        curve = EC_CURVES.get(crv or "P-256")
        if curve is None:
            raise UnsupportedAlgorithmError(
                f"EC curve {crv!r} is not supported: use {sorted(EC_CURVES)}"
            )
        return Key.import_key(ec.generate_private_key(curve.curve()), **meta)
    if kty == "OKP":
        _no(size, "size", kty)
        okp = OKP_CURVES.get(crv or "Ed25519")
        if okp is None:
            raise UnsupportedAlgorithmError(
                f"OKP curve {crv!r} is not supported: use {sorted(OKP_CURVES)}"
            )
        return Key.import_key(okp.private_cls.generate(), **meta)
    if kty == "oct":
        _no(crv, "crv", kty)
        bits = 256 if size is None else size
        if bits < 128 or bits % 8:
            raise InvalidKeyError("'oct' keys must be at least 128 bits, a multiple of 8")
        return Key.import_key({"kty": "oct", "k": b64e_str(os.urandom(bits // 8)), **meta})
    if kty == "AKP":
        _no(size, "size", kty)
        _no(crv, "crv", kty)
        return akp_generate(alg, {k: v for k, v in meta.items() if k != "alg"})
    raise UnsupportedAlgorithmError(
        f"key type {kty!r} is not supported: use RSA, EC, OKP, oct or AKP"
    )


def _no(value: object, name: str, kty: str) -> None:
    if value is not None:
        raise InvalidKeyError(f"{name}= does not apply to {kty} keys")

"""Key generation: every key type josekit supports, by its row of the ``kty`` table."""

from __future__ import annotations

from typing import Any

from ..errors import UnsupportedAlgorithmError
from ._key import Key
from ._kty import KEY_TYPES

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
    row = KEY_TYPES.get(kty)
    if row is None:
        *others, last = KEY_TYPES
        raise UnsupportedAlgorithmError(
            f"key type {kty!r} is not supported: use {', '.join(others)} or {last}"
        )
    return Key._build(row.generate(size, crv, alg), meta)

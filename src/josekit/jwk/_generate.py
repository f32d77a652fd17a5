"""Key generation: every key type josekit supports, by its row of the ``kty`` table."""

from __future__ import annotations

from typing import Any

from .._text import a_an
from ..errors import InvalidKeyError, UnsupportedAlgorithmError
from ._alg_keys import ALG_KEYS
from ._curves import OKP_CURVES
from ._key import Key
from ._kty import KEY_TYPES

__all__ = ["generate"]


def _family(crv: str) -> str:
    return "OKP" if crv in OKP_CURVES else "EC"


def _shape(
    alg: str, kty: str | None, crv: str | None, size: int | None
) -> tuple[str | None, str | None, int | None]:
    """``kty``, ``crv`` and ``size`` completed from ``alg``; a contradiction is an error.

    Raises:
        InvalidKeyError: the requested key does not fit ``alg``.
    """
    row = ALG_KEYS.get(alg)
    if row is None:  # dir, PBES2, or an alg josekit does not know: kty decides
        return kty, crv, size
    if row.curves is not None:
        curves = [c for c in row.curves if kty is None or _family(c) == kty]
        if not curves:
            families = " or ".join(dict.fromkeys(_family(c) for c in row.curves))
            raise InvalidKeyError(f"alg {alg} needs an {families} key, not {kty}")
        if size is not None:
            raise InvalidKeyError(f"alg {alg} takes a curve ({' or '.join(curves)}), not a size")
        if crv is None:
            crv = curves[0]
        elif crv not in curves:
            raise InvalidKeyError(f"alg {alg} needs a key on {' or '.join(curves)}, not {crv}")
        return _family(crv), crv, None
    if kty is not None and kty != row.kty:
        raise InvalidKeyError(f"alg {alg} needs an {row.kty} key, not {kty}")
    if crv is not None:
        raise InvalidKeyError(f"alg {alg} takes an {row.kty} key, which has no curve")
    if row.bits is None or size is None:
        return row.kty, None, row.bits if size is None else size
    if row.exact and size != row.bits:
        raise InvalidKeyError(f"alg {alg} needs {a_an(f'{row.bits}-bit')} key, not {size} bits")
    if size < row.bits:
        raise InvalidKeyError(f"alg {alg} needs a key of at least {row.bits} bits, not {size}")
    return row.kty, None, size


def generate(
    kty: str | None = None,
    *,
    alg: str | None = None,
    crv: str | None = None,
    size: int | None = None,
    kid: str | None = None,
    use: str | None = None,
) -> Key:
    """Generate a new private (or secret) key.

    With only ``alg``, the key type, curve and size follow from it: ``generate(alg="ES384")``
    is an EC P-384 key, ``"HS512"`` a 512-bit ``oct`` key, ``"RSA-OAEP-256"`` an RSA 2048
    key, ``"ECDH-ES+A256KW"`` an EC P-256 key, ``"ML-DSA-65"`` an AKP key. Given together,
    ``kty``, ``crv`` and ``size`` must fit ``alg``.

    Args:
        kty: ``"RSA"`` (``size`` bits, default 2048, at least 2048), ``"EC"`` (``crv`` one of
            P-256, P-384, P-521, secp256k1; default P-256), ``"OKP"`` (``crv`` one of Ed25519,
            Ed448, X25519, X448; default Ed25519), ``"oct"`` (``size`` bits, default 256) or
            ``"AKP"`` (``alg`` required: ``ML-DSA-44``/``-65``/``-87`` of RFC 9964, or an HPKE
            post-quantum algorithm ``HPKE-9``, ``HPKE-10``, ``HPKE-12``, ``HPKE-13`` or its
            ``-KE`` form). Optional when ``alg`` is given.
        alg: algorithm recorded in the key; the key is then used only with it.
        crv: curve, for ``EC`` and ``OKP``.
        size: key size in bits, for ``RSA`` and ``oct``.
        kid: key id recorded in the key.
        use: ``"sig"`` or ``"enc"``, recorded in the key; the key is then used only for it.

    Raises:
        UnsupportedAlgorithmError: unknown ``kty``, ``crv`` or ``alg``.
        InvalidKeyError: neither ``kty`` nor ``alg`` given; an ``alg`` that does not fit the
            requested key (``generate("EC", alg="RS256")``,
            ``generate("oct", alg="HS512", size=256)``); a size that is too small or not a
            whole number of bytes.
    """
    if alg is not None:
        kty, crv, size = _shape(alg, kty, crv, size)
    if kty is None:
        raise InvalidKeyError(
            "give kty (EC, OKP, RSA, oct or AKP), or an alg that decides it"
            + (f" (alg {alg} does not: give kty and size)" if alg is not None else "")
        )
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

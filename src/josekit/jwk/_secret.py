"""Shared secrets as keys: the rules of :meth:`Key.from_secret <josekit.jwk.Key.from_secret>`.

A secret is the bytes it is: a ``str`` is UTF-8 encoded, never base64- or hex-decoded (the
confusion behind many "invalid signature" reports when moving between libraries). An HMAC
secret shorter than the hash output (RFC 7518 §3.2) is refused unless the caller opts in
with ``allow_short=True``, which marks the key weak and warns once.
"""

from __future__ import annotations

import warnings

from .._b64 import b64e_str
from ..errors import InvalidKeyError, WeakKeyWarning
from ._alg_keys import ALG_KEYS

__all__ = ["FROM_SECRET_HINT", "mark_weak", "not_a_key_message", "secret_bytes", "secret_jwk"]

FROM_SECRET_HINT = 'for a shared secret, use Key.from_secret(secret, alg="HS256")'
"""What to write instead, shown wherever text or bytes are given as a key."""

_DEFAULT_HMAC = "HS256"
"""The HMAC algorithm whose output size a secret without ``alg`` must reach."""


def not_a_key_message(obj: object) -> str:
    """The error message for ``obj`` passed where a :class:`~josekit.jwk.Key` is expected."""
    message = f"expected a josekit Key, not {type(obj).__name__}; "
    if isinstance(obj, (str, bytes, bytearray, memoryview)):
        return message + f"{FROM_SECRET_HINT}, or Key.import_key(...) for a JWK, PEM or DER key"
    return message + "import it with Key.import_key(...)"


def secret_bytes(secret: object, alg: str | None, allow_short: bool) -> tuple[bytes, bool]:
    """The bytes of ``secret`` and whether they are weak (accepted with ``allow_short``).

    Raises:
        InvalidKeyError: not bytes or str, empty, too short for the HMAC ``alg`` (the
            message names the length needed and the opt-in), ``alg`` takes no secret, or
            ``allow_short`` given for an algorithm other than HS256/HS384/HS512.
    """
    if isinstance(secret, str):
        data = secret.encode("utf-8")
    elif isinstance(secret, (bytes, bytearray, memoryview)):
        data = bytes(secret)
    else:
        raise InvalidKeyError(f"a secret is bytes or str, not {type(secret).__name__}")
    if not data:
        raise InvalidKeyError("the secret is empty")
    name = _DEFAULT_HMAC if alg is None else alg
    row = ALG_KEYS.get(name)
    if row is not None and row.kty != "oct":
        raise InvalidKeyError(
            f"alg {name} needs an {row.kty} key: a shared secret (an oct key) is for HS256, "
            "HS384, HS512, AES key wrapping or dir"
        )
    if row is None or row.exact or row.bits is None:
        if allow_short:
            raise InvalidKeyError(
                f"allow_short applies to HMAC secrets (HS256, HS384, HS512), not to alg {name}"
            )
        return data, False
    if len(data) * 8 >= row.bits:
        return data, False
    if not allow_short:
        raise InvalidKeyError(
            f"the secret is {len(data)} bytes, shorter than the {row.bits // 8} bytes {name} "
            "needs (its hash output, RFC 7518 §3.2): use a longer random secret, or pass "
            "allow_short=True to accept a legacy secret (the key is then marked weak)"
        )
    return data, True


def secret_jwk(
    secret: object, kid: str | None, alg: str | None, allow_short: bool
) -> tuple[dict[str, str], bool]:
    """The ``oct`` JWK of ``secret`` (with ``kid``/``alg``) and whether it is weak.

    Raises:
        InvalidKeyError: as :func:`secret_bytes`.
    """
    data, weak = secret_bytes(secret, alg, allow_short)
    jwk = {"kty": "oct", "k": b64e_str(data)}
    jwk.update((name, value) for name, value in (("kid", kid), ("alg", alg)) if value is not None)
    return jwk, weak


def mark_weak(key: object, alg: str | None) -> None:
    """Record that ``key`` (just made from a short secret) is weak, and warn once.

    Emits the :class:`~josekit.errors.WeakKeyWarning`, pointing at the caller of
    ``Key.from_secret``; the key's ``is_weak`` and ``repr`` say it from now on.
    """
    object.__setattr__(key, "_weak", True)
    name = _DEFAULT_HMAC if alg is None else alg
    needed = (ALG_KEYS[name].bits or 0) // 8
    size = len(key.crypto_key)  # type: ignore[attr-defined]
    warnings.warn(
        WeakKeyWarning(
            f"accepted a {size}-byte secret for {name}, which needs {needed} bytes "
            "(allow_short=True): replace it with a longer random secret"
        ),
        stacklevel=3,
    )

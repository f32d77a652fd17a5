"""The JWS algorithm descriptor: one :class:`SignatureAlgorithm` per ``alg``.

The rows are built by the family builders of :mod:`josekit.algorithms.signing` and
:mod:`josekit.algorithms.mldsa`; the table there imports its rows, and the rows import
only this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidKeyError, InvalidSignatureError, KeyBackendError
from ..jwk import Key
from ._external import external_sign

__all__ = ["SignatureAlgorithm"]


@dataclass(frozen=True, slots=True)
class SignatureAlgorithm:
    """One JWS ``alg``: which keys fit it, and how it signs and verifies."""

    name: str
    family: str
    kty: str
    description: str
    curves: frozenset[str] | None
    min_key_bits: int
    _sign: Callable[[Any, bytes], bytes]
    _verify: Callable[[Any, bytes, bytes], bool]

    def check_key(self, key: Key, operation: str) -> None:
        """Refuse a key that does not fit this algorithm or this operation, before any crypto."""
        if key.kty != self.kty:
            raise InvalidKeyError(
                f"alg {self.name} needs a key of type {self.kty}, not {key.kty}"
                + (
                    " (symmetric and asymmetric algorithms never mix)"
                    if "oct" in (self.kty, key.kty)
                    else ""
                )
            )
        if self.curves is not None and key.crv not in self.curves:
            raise InvalidKeyError(
                f"alg {self.name} needs a key on {' or '.join(sorted(self.curves))}, not {key.crv}"
            )
        if self.min_key_bits and key.size < self.min_key_bits and not key.is_weak:
            raise InvalidKeyError(
                f"alg {self.name} needs a key of at least {self.min_key_bits} bits; "
                f"this one has {key.size}"
            )
        if operation == "sign" and not key.is_private:
            raise InvalidKeyError(f"signing with {self.name} needs a private key")
        if key.alg is not None or key.use is not None or key.key_ops is not None:
            key.check_usage(operation, self.name)  # nothing to refuse when none is set

    def sign(self, key: Key, data: bytes) -> bytes:
        """Sign ``data``; the key must have passed :meth:`check_key` for ``sign``.

        A key held by a backend (``jwk.external_key``) signs there; its signature is
        verified with the public half before it is returned.
        """
        if key.external is None:
            return self._sign(key.crypto_key, data)
        signature = external_sign(key, self.name, data)
        if not self._verify(key.public_crypto_key, data, signature):
            raise KeyBackendError(
                f"{key.external!r} returned a {self.name} signature that does not verify "
                "with the key's public half: the backend holds another key, or is faulty"
            )
        return signature

    def verify(self, key: Key, data: bytes, signature: bytes) -> None:
        """Verify ``signature`` over ``data``; raise :class:`InvalidSignatureError` if wrong."""
        native = key.crypto_key if self.kty == "oct" else key.public_crypto_key
        if not self._verify(native, data, signature):
            raise InvalidSignatureError("signature verification failed")

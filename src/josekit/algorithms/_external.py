"""Calling the backend of a key whose private half is held elsewhere (``jwk.external_key``).

The algorithm rows call these where they would call a ``cryptography`` private key, after
their own checks of the key; a backend failure becomes a :class:`JoseError`. An async
backend's coroutines are awaited through the bridge of an async entry point (``_bridge``).
"""

from __future__ import annotations

from typing import Any

from ..errors import DecryptionError, JoseError, KeyBackendError, UnsupportedAlgorithmError
from ..jwk import Key
from ._bridge import backend_method
from .content import DECRYPTION_FAILED

__all__ = ["external_decrypt", "external_exchange", "external_sign"]


def external_sign(key: Key, alg: str, data: bytes) -> bytes:
    """The backend's signature of ``data``; :class:`KeyBackendError` when it fails."""
    backend = key.external
    sign = backend_method(backend, "sign")
    try:
        signature = sign(alg, data)
    except JoseError:
        raise
    except Exception as exc:
        raise KeyBackendError(
            f"{backend!r} failed to sign with {alg} ({type(exc).__name__}); "
            "check that the backend is reachable and the key may sign"
        ) from None
    if not isinstance(signature, (bytes, bytearray)):
        raise KeyBackendError(f"{backend!r} returned {type(signature).__name__}, not bytes")
    return bytes(signature)


def _unwrapped(backend: Any, operation: str, *args: Any) -> bytes:
    # Every failure but "not supported" (a property of the backend, not of the message) is
    # the one decryption error: nothing about the ciphertext leaks through the backend. An
    # async backend where it cannot be awaited (the caller's mistake) is found before.
    call = backend_method(backend, operation)
    try:
        out = call(*args)
    except UnsupportedAlgorithmError:
        raise
    except Exception:
        raise DecryptionError(DECRYPTION_FAILED) from None
    if not isinstance(out, (bytes, bytearray)):
        raise DecryptionError(DECRYPTION_FAILED)
    return bytes(out)


def external_decrypt(key: Key, alg: str, encrypted_key: bytes) -> bytes:
    """The CEK the backend decrypts; :class:`DecryptionError` on any failure."""
    return _unwrapped(key.external, "decrypt", alg, encrypted_key)


def external_exchange(key: Key, alg: str, peer: Any) -> bytes:
    """The backend's ECDH shared secret with ``peer``; :class:`DecryptionError` on failure."""
    return _unwrapped(key.external, "exchange", alg, peer)

"""Keys whose private half lives elsewhere (an HSM, a cloud KMS): the external-key seam.

The public half is an ordinary :class:`Key` (exported, thumbprinted, published); the private
operations are done by a backend object implementing :class:`ExternalPrivateKey` (its methods
plain functions, for a local HSM) or :class:`AsyncExternalPrivateKey` (coroutines, for a
remote KMS). The algorithm rows call the backend where they would call a ``cryptography``
private key, after every check josekit makes of the key and the algorithm.
"""

from __future__ import annotations

import inspect
from typing import Any, Protocol, runtime_checkable

from ._key import Key, KeyData, _from_jwk
from ._members import fail

__all__ = ["AsyncExternalPrivateKey", "ExternalPrivateKey", "external_key"]

# The private half of a key does the counterpart of what its public half does.
_PRIVATE_OP = {"verify": "sign", "encrypt": "decrypt", "wrapKey": "unwrapKey"}
_METHODS = ("sign", "decrypt", "exchange")


@runtime_checkable
class ExternalPrivateKey(Protocol):
    """The private operations of a key held by a backend (model: go-jose ``OpaqueSigner``).

    Implement the operations the backend can do; an operation it cannot do (or an ``alg``
    it does not support) raises :class:`~josekit.errors.UnsupportedAlgorithmError`. Any other
    exception becomes a :class:`~josekit.errors.KeyBackendError` when signing and the one
    :class:`~josekit.errors.DecryptionError` when decrypting. ``repr()`` of the backend is
    shown in the key's ``repr`` and in messages: name the backend and the key, never a
    credential.
    """

    def sign(self, alg: str, data: bytes) -> bytes:
        """The JWS signature of ``data`` (the signing input) for ``alg``, in JOSE form.

        ECDSA signatures are raw ``R || S``, each the curve's coordinate size. josekit
        verifies the result with the public half before using it.
        """
        ...

    def decrypt(self, alg: str, encrypted_key: bytes) -> bytes:
        """The content encryption key that RSA ``alg`` (``RSA-OAEP``...) encrypted."""
        ...

    def exchange(self, alg: str, peer: Any) -> bytes:
        """The ECDH shared secret Z with ``peer``, a ``cryptography`` public key on the
        key's curve, for key agreement ``alg`` (``ECDH-ES``, ``ECDH-ES+A128KW``...)."""
        ...


@runtime_checkable
class AsyncExternalPrivateKey(Protocol):
    """:class:`ExternalPrivateKey` for a backend reached over the network: the same three
    operations, as coroutines, with the same contracts.

    Such a key signs and decrypts through the async entry points (:func:`josekit.jws.sign_async`,
    :func:`josekit.jwt.encode_async`, :func:`josekit.jwe.decrypt_async`,
    :func:`josekit.jwt.decode_encrypted_async`...), which await the backend on their event
    loop. The sync functions cannot await it and raise
    :class:`~josekit.errors.KeyBackendError` naming the async ones.
    """

    async def sign(self, alg: str, data: bytes) -> bytes:
        """The JWS signature of ``data`` for ``alg``, in JOSE form (ECDSA: raw ``R || S``)."""
        ...

    async def decrypt(self, alg: str, encrypted_key: bytes) -> bytes:
        """The content encryption key that RSA ``alg`` (``RSA-OAEP``...) encrypted."""
        ...

    async def exchange(self, alg: str, peer: Any) -> bytes:
        """The ECDH shared secret Z with ``peer`` (a ``cryptography`` public key) for ``alg``."""
        ...


def _check_backend(backend: object) -> None:
    """Refuse a ``backend`` that implements neither protocol, or mixes the two."""
    if not isinstance(backend, ExternalPrivateKey):
        fail(
            f"{type(backend).__name__} does not implement ExternalPrivateKey or "
            "AsyncExternalPrivateKey (sign, decrypt, exchange)"
        )
    coroutines = {name for name in _METHODS if inspect.iscoroutinefunction(getattr(backend, name))}
    if coroutines and len(coroutines) < len(_METHODS):
        plain = ", ".join(name for name in _METHODS if name not in coroutines)
        fail(
            f"{type(backend).__name__} mixes async and plain methods ({plain} not async): "
            "make all of sign, decrypt and exchange coroutines (AsyncExternalPrivateKey) "
            "or none (ExternalPrivateKey)"
        )


def external_key(
    public: KeyData,
    backend: ExternalPrivateKey | AsyncExternalPrivateKey,
    *,
    kid: str | None = None,
) -> Key:
    """A :class:`Key` whose public half is ``public`` and whose private half ``backend`` holds.

    The key is private (``is_private`` is true) and signs, decrypts and agrees keys wherever
    a private key is accepted; exporting or reading its private half raises
    :class:`~josekit.errors.InvalidKeyError`. ``backend`` is an :class:`ExternalPrivateKey`
    or an :class:`AsyncExternalPrivateKey` (used through the async entry points). ``key_ops``
    of the public half (``verify``, ``encrypt``...) become their private counterparts.
    ``kid`` sets the key id if given.

    Raises:
        InvalidKeyError: ``public`` is a private or symmetric key, or ``backend`` does not
            implement either protocol (or mixes async and plain methods).
    """
    half = Key.import_key(public)
    if half.is_symmetric or half.is_private:
        fail("external_key needs the public half of an asymmetric key (the backend holds the rest)")
    _check_backend(backend)
    jwk = half.to_dict()
    if kid is not None:
        jwk["kid"] = kid
    if "key_ops" in jwk:
        jwk["key_ops"] = sorted({_PRIVATE_OP.get(op, op) for op in jwk["key_ops"]})
    key = _from_jwk(jwk)
    object.__setattr__(key, "_external", backend)
    return key

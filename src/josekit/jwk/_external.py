"""Keys whose private half lives elsewhere (an HSM, a cloud KMS): the external-key seam.

The public half is an ordinary :class:`Key` (exported, thumbprinted, published); the private
operations are done by a backend object implementing :class:`ExternalPrivateKey`. The
algorithm rows call the backend where they would call a ``cryptography`` private key, after
every check josekit makes of the key and the algorithm.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from ._key import Key, KeyData, _from_jwk
from ._members import fail

__all__ = ["ExternalPrivateKey", "external_key"]

# The private half of a key does the counterpart of what its public half does.
_PRIVATE_OP = {"verify": "sign", "encrypt": "decrypt", "wrapKey": "unwrapKey"}


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


def external_key(public: KeyData, backend: ExternalPrivateKey, *, kid: str | None = None) -> Key:
    """A :class:`Key` whose public half is ``public`` and whose private half ``backend`` holds.

    The key is private (``is_private`` is true) and signs, decrypts and agrees keys wherever
    a private key is accepted; exporting or reading its private half raises
    :class:`~josekit.errors.InvalidKeyError`. ``key_ops`` of the public half (``verify``,
    ``encrypt``...) become their private counterparts. ``kid`` sets the key id if given.

    Raises:
        InvalidKeyError: ``public`` is a private or symmetric key, or ``backend`` does not
            implement :class:`ExternalPrivateKey`.
    """
    half = Key.import_key(public)
    if half.is_symmetric or half.is_private:
        fail("external_key needs the public half of an asymmetric key (the backend holds the rest)")
    if not isinstance(backend, ExternalPrivateKey):
        fail(
            f"{type(backend).__name__} does not implement ExternalPrivateKey "
            "(sign, decrypt, exchange)"
        )
    jwk = half.to_dict()
    if kid is not None:
        jwk["kid"] = kid
    if "key_ops" in jwk:
        jwk["key_ops"] = sorted({_PRIVATE_OP.get(op, op) for op in jwk["key_ops"]})
    key = _from_jwk(jwk)
    object.__setattr__(key, "_external", backend)
    return key

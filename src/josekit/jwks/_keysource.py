"""Where a :class:`~josekit.jwks.KeyStore` makes its keys when they must live in a token.

``KeyStore(storage, policy, keys=source)``: each new key is made by ``source`` (e.g. a
:class:`josekit.pkcs11.Pkcs11Token`), the state document keeps only its public JWK and the
``reference`` the source gives, and a key removed from the state is destroyed in the source.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from ..jwk import Key

__all__ = ["KeySource"]


@runtime_checkable
class KeySource(Protocol):
    """Makes, finds and destroys the keys of a key store whose private halves it holds."""

    def new_signing_key(self, alg: str) -> Key:
        """A new signing key for ``alg`` (``kid``: its RFC 7638 thumbprint, ``use: sig``)."""
        ...

    def reference(self, key: Key) -> dict[str, Any]:
        """JSON data that finds ``key`` again (saved beside its public JWK)."""
        ...

    def open_key(self, reference: Mapping[str, Any], public: Mapping[str, Any]) -> Key:
        """The key saved as ``reference``; its public half must be ``public``."""
        ...

    def destroy(self, key: Key) -> None:
        """Destroy ``key`` in the source (it has left the key store)."""
        ...

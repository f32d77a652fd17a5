"""Sealing a key store's private keys under a key-encryption key (KEK), with josekit's own JWE.

Each private key's private members become one compact JWE (``A256KW`` for an ``oct`` KEK,
``ECDH-ES+A256KW`` for EC/OKP, ``RSA-OAEP-256`` for RSA; ``A256GCM`` content encryption, a
fresh content key per sealed key). The protected header, which the AEAD authenticates, carries
the KEK's ``kid`` (so opening never tries KEKs in turn) and a binding: envelope version,
storage name, key id and a digest of the public state document. Opening checks the binding
equals what the reader expects, so a sealed key moved to another row, issuer or state fails.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .. import jwe
from .._b64 import b64d
from .._json import loads_object
from ..errors import JoseError, KeyStoreError
from ..jwk import Key

__all__ = ["ENVELOPE", "Keks", "as_keks", "seal", "unseal"]

ENVELOPE = 1
"""The version of the sealed-key envelope; an unknown one is refused."""

_HEADER = "josekit-sealed"

# kty of the KEK -> the key management algorithm that seals with it.
_KEK_ALGS: Mapping[str, str] = MappingProxyType(
    {"oct": "A256KW", "EC": "ECDH-ES+A256KW", "OKP": "ECDH-ES+A256KW", "RSA": "RSA-OAEP-256"}
)
_ENC = "A256GCM"


@dataclass(frozen=True, slots=True)
class Keks:
    """The KEKs of a store: the first seals, every one may open (during a KEK change)."""

    sealing: Key
    alg: str
    opening: Mapping[str, Key]  # kid -> KEK

    def __repr__(self) -> str:
        return f"Keks(sealing={self.sealing.kid!r}, {len(self.opening)} for opening)"


def _one(kek: object) -> Key:
    if not isinstance(kek, Key):
        raise JoseError(f"a KEK must be a josekit.jwk.Key, not {type(kek).__name__}")
    alg = _KEK_ALGS.get(kek.kty)
    if alg is None:
        raise JoseError(f"a KEK must be an oct, EC, OKP or RSA key, not {kek.kty}")
    if kek.kty == "OKP" and kek.crv not in ("X25519", "X448"):
        raise JoseError(f"an OKP KEK must be an X25519 or X448 key, not {kek.crv}")
    if kek.kty == "oct" and kek.size != 256:
        raise JoseError(f"an oct KEK must have 256 bits (A256KW), not {kek.size}")
    if kek.kty == "RSA" and kek.size < 2048:
        raise JoseError(f"an RSA KEK must have at least 2048 bits, not {kek.size}")
    kid = kek.kid or kek.thumbprint()
    return Key.import_key(kek, kid=kid, alg=None, use=None) if kek.kid is None else kek


def as_keks(kek: Key | Sequence[Key] | None) -> Keks | None:
    """``kek=`` as given to a KeyStore: None, one key, or ``[new, old, ...]``."""
    if kek is None:
        return None
    keys = [_one(kek)] if isinstance(kek, Key) else [_one(k) for k in kek]
    if not keys:
        raise JoseError("kek must name at least one key")
    if len({k.kid for k in keys}) != len(keys):
        raise JoseError("two KEKs have the same kid")
    return Keks(
        sealing=keys[0],
        alg=_KEK_ALGS[keys[0].kty],
        opening=MappingProxyType({k.kid or "": k for k in keys}),
    )


def _kek_for(keks: Keks, sealed: str) -> Key | None:
    """The KEK named by the sealed key's header ``kid`` (never a trial of each KEK)."""
    try:
        header = loads_object(b64d(sealed.split(".", 1)[0]), "JWE header")
    except JoseError:
        return None
    kid = header.get("kid")
    return keks.opening.get(kid) if isinstance(kid, str) else None


def seal(keks: Keks, members: Mapping[str, Any], binding: Mapping[str, Any]) -> str:
    """Encrypt the private ``members`` of one key, binding ``binding`` into the header."""
    recipient = keks.sealing if keks.sealing.is_symmetric else keks.sealing.public()
    header: dict[str, Any] = {"cty": "josekit-key+json", _HEADER: {"v": ENVELOPE, **binding}}
    if recipient.kid is None:
        header["kid"] = keks.sealing.kid
    return jwe.encrypt(
        json.dumps(dict(members), sort_keys=True), recipient, keks.alg, _ENC, header=header
    )


def unseal(keks: Keks, sealed: object, binding: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The private members sealed in ``sealed``, if the binding is the expected one.

    Raises:
        KeyStoreError: not a sealed key, no KEK fits, decryption failed, or the binding differs
            (one message for the last two: the KEK is wrong or the sealed key was moved).
    """
    if not isinstance(sealed, str):
        raise KeyStoreError(f"{where}: 'sealed' must be a compact JWE string")
    kek = _kek_for(keks, sealed)
    opened = None
    if kek is not None:
        with contextlib.suppress(JoseError):
            opened = jwe.decrypt(sealed, kek, algorithms=[_KEK_ALGS[kek.kty]], encryptions=[_ENC])
    header = None if opened is None else opened.header.get(_HEADER)
    if isinstance(header, dict) and header.get("v") != ENVELOPE:
        raise KeyStoreError(f"{where}: unknown sealed-key envelope version {header.get('v')!r}")
    if opened is None or header != {"v": ENVELOPE, **binding}:
        raise KeyStoreError(
            f"{where}: the sealed private key does not open with the key-encryption key(s) "
            f"given ({', '.join(keks.opening)}): a wrong KEK, or a sealed "
            "key copied from another key store, row or state; nothing was loaded"
        )
    try:
        return loads_object(opened.plaintext, "sealed private key")
    except JoseError as exc:  # pragma: no cover - only josekit writes what the AEAD accepts
        raise KeyStoreError(f"{where}: the sealed private key is corrupt: {exc}") from None

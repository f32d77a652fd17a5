"""What a key-type module gives the ``kty`` table: one :class:`KeyType` row.

Each key type (``_rsa``, ``_ec``, ``_okp``, ``_oct``, ``_akp``) turns a JWK, a
``cryptography`` key object or a request for a new key into ``KeyMaterial``;
:class:`~josekit.jwk.Key` is built from that material and the JWK's other members, the same
way for every type. A row never imports the table (``_kty``) nor ``Key``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["KeyMaterial", "KeyType"]


KeyMaterial = tuple[
    str,
    str | None,
    dict[str, str],
    dict[str, str] | None,
    Any,
    Any,
    str | None,
    str | None,
]
"""The validated parts of one key, as its key-type module made them:

``(kty, crv, public_members, private_members, crypto, public_crypto, use, alg)``

* ``kty``, ``crv``: the key type and, for EC and OKP keys, the curve (else None).
* ``public_members``: the public JWK members, in their canonical encoding.
* ``private_members``: the private JWK members; None for a public key.
* ``crypto``: the ``cryptography`` key object (the secret ``bytes`` of an ``oct`` key).
* ``public_crypto``: the ``cryptography`` public key; None for a symmetric key.
* ``use``: the one ``use`` the key type or curve allows (X25519 keys: ``enc``), or None.
* ``alg``: the one ``alg`` the key is bound to (every AKP key), or None.

A plain tuple: a key is imported on the hot path, and a named tuple's constructor would add
about 0.5 µs to every import (+10% on an Ed25519 or ``oct`` JWK).
"""


@dataclass(frozen=True, slots=True)
class KeyType:
    """One ``kty``: its members and how its keys are imported, generated and sized.

    Attributes:
        kty: the JWK key type.
        required: the required members, sorted; also the RFC 7638 thumbprint members.
        private: the private members.
        crypto_types: the ``cryptography`` key classes imported as this type.
        from_jwk: validates a JWK of this type (required members present) into material.
        from_crypto: material from an instance of ``crypto_types`` (None when there are none).
        generate: ``generate(size, crv, alg)``: material of a new private key.
        size: ``size(crypto, crv, alg)``: the key size in bits.
        other: key members neither required nor private, which this type refuses or handles
            itself (RSA ``oth``); they never reach the key's other members.
        members: every member this type owns (computed).
    """

    kty: str
    required: tuple[str, ...]
    private: tuple[str, ...]
    crypto_types: tuple[type, ...]
    from_jwk: Callable[[Mapping[str, Any]], KeyMaterial]
    from_crypto: Callable[[Any], KeyMaterial] | None
    generate: Callable[[int | None, str | None, str | None], KeyMaterial]
    size: Callable[[Any, str | None, str | None], int]
    other: frozenset[str] = frozenset()
    members: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        members = frozenset(self.required) | frozenset(self.private) | self.other
        object.__setattr__(self, "members", members)

"""OpenID Connect token hashes: ``at_hash``, ``c_hash`` and ``s_hash`` of an ID token.

OpenID Connect Core 1.0 §3.1.3.6 / §3.3.2.11 (and FAPI 1.0 Advanced §5.1 for ``s_hash``):
the left half of the hash of the ASCII value, with the hash of the ID token's ``alg``
(SHA-256 for ``*256``...), base64url-encoded. For EdDSA the curve decides, per the OpenID
Connect Core errata: Ed25519 hashes with SHA-512, Ed448 with SHAKE256 (114 bytes).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from typing import Any

from .._b64 import b64e_str
from ..errors import InvalidClaimError, JoseError, MissingClaimError
from ..jwk import Key

__all__ = ["RESPONSE_TYPES", "check_token_hashes", "token_hash"]

_Digest = Callable[[bytes], bytes]


def _sha(name: str) -> _Digest:
    return lambda data: hashlib.new(name, data).digest()


def _shake256_114(data: bytes) -> bytes:
    return hashlib.shake_256(data).digest(114)


_BY_SUFFIX: Mapping[str, _Digest] = {
    "256": _sha("sha256"),
    "384": _sha("sha384"),
    "512": _sha("sha512"),
    "256K": _sha("sha256"),
}
_BY_CURVE: Mapping[str, _Digest] = {"Ed25519": _sha("sha512"), "Ed448": _shake256_114}
_EDDSA = frozenset({"EdDSA", "Ed25519", "Ed448"})

RESPONSE_TYPES: Mapping[str, frozenset[str]] = {
    "code": frozenset(),
    "id_token": frozenset(),
    "id_token token": frozenset({"at_hash"}),
    "code id_token": frozenset({"c_hash"}),
    "code token": frozenset(),
    "code id_token token": frozenset({"at_hash", "c_hash"}),
}
"""OAuth response types and the hash claims OIDC Core requires in their ID token."""


def _digest(alg: str, key: Key) -> _Digest:
    if alg in _EDDSA:
        crv = "Ed448" if alg == "Ed448" else "Ed25519" if alg == "Ed25519" else key.crv
        found = _BY_CURVE.get(crv or "")
    else:
        suffix = alg[2:] if alg[:2] in ("HS", "RS", "PS", "ES") else ""
        found = _BY_SUFFIX.get(suffix)
    if found is None:
        raise JoseError(
            f"OpenID Connect defines no at_hash/c_hash/s_hash hash for alg {alg!r}; "
            "the ID token's hash claims cannot be checked"
        )
    return found


def token_hash(value: str, alg: str, key: Key) -> str:
    """The ``at_hash``/``c_hash``/``s_hash`` of ``value`` for an ID token signed with ``alg``."""
    digest = _digest(alg, key)(value.encode("ascii"))
    return b64e_str(digest[: len(digest) // 2])


def check_token_hashes(
    claims: Mapping[str, Any],
    alg: str,
    key: Key,
    given: Mapping[str, str | None],
    required: frozenset[str],
) -> None:
    """Check each hash claim whose value the caller gave; refuse a required one missing.

    ``given`` maps a claim (``at_hash``...) to the value it hashes (or ``None``); a hash
    claim is required when it is in ``required`` or when ``s_hash``'s ``state`` is given.
    """
    for claim, value in given.items():
        if value is None:
            continue
        expected = token_hash(value, alg, key)
        found = claims.get(claim)
        if found is None:
            if claim in required:
                raise MissingClaimError(
                    f"the ID token has no {claim!r} claim, which this flow requires "
                    "(OpenID Connect Core §3.3.2.11)",
                    claim,
                )
            continue
        if type(found) is not str or not hmac.compare_digest(found, expected):
            raise InvalidClaimError(
                f"claim {claim!r} does not match the hash of the value given; the ID token "
                "was not issued with it",
                claim,
            )

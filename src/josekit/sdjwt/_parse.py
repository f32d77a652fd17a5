"""The holder's unverified view of an SD-JWT: its JWT, its disclosures and where each applies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._b64 import b64d
from .._json import loads_object
from ..errors import JoseError, SDJWTError
from ..policy import DEFAULT_LIMITS, Limits
from ._disclosure import HASHES, Disclosure, decode_disclosure
from ._format import Parts, Serialization, split
from ._process import process, sd_alg_of

__all__ = ["SDJWT", "parse", "signed_parts"]

_ANY_HASH = frozenset(HASHES)


@dataclass(frozen=True, slots=True)
class SDJWT:
    """An SD-JWT as its holder sees it, nothing verified.

    Attributes:
        issuer_jwt: the issuer-signed JWT in compact form.
        header: its protected header.
        payload: its payload as signed: digests, ``_sd_alg``, plain claims.
        claims: the claims with every disclosure carried here applied.
        disclosures: the disclosures in the order carried, each with its salt, claim name
            (``None`` for an array element), value, digest and path.
        key_binding_jwt: the Key Binding JWT if this is an SD-JWT+KB, else ``None``.
        serialization: ``"compact"`` or ``"json"``.
        sd_alg: the digests' hash algorithm.
    """

    issuer_jwt: str
    header: dict[str, Any]
    payload: dict[str, Any]
    claims: dict[str, Any]
    disclosures: tuple[Disclosure, ...]
    key_binding_jwt: str | None
    serialization: Serialization
    sd_alg: str
    parts: Parts = field(repr=False)
    parents: Mapping[str, str | None] = field(repr=False)


def _segment(text: str, what: str, limits: Limits) -> dict[str, Any]:
    return loads_object(b64d(text, what), what, limits.max_json_depth)


def signed_parts(jwt: str, limits: Limits) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and payload of a compact JWS, decoded but not verified."""
    pieces = jwt.split(".")
    if len(pieces) != 3:
        raise SDJWTError("the issuer-signed JWT must have three parts separated by '.'")
    try:
        return (
            _segment(pieces[0], "the issuer-signed JWT header", limits),
            _segment(pieces[1], "the issuer-signed JWT payload", limits),
        )
    except JoseError as exc:
        raise SDJWTError(str(exc)) from None


def parse(sd_jwt: str | bytes, *, limits: Limits = DEFAULT_LIMITS) -> SDJWT:
    """Take an SD-JWT (or SD-JWT+KB) apart for its holder, without verifying anything.

    Every disclosure is decoded and placed as a verifier would (so a malformed one, a
    duplicate or an unreferenced one is an error here too), but no signature is checked:
    use :func:`verify` to trust the claims.

    Raises:
        SDJWTError: the SD-JWT or one of its disclosures is malformed.
    """
    parts = split(sd_jwt, limits)
    jwt = parts.compact_jwt()
    header, payload = signed_parts(jwt, limits)
    sd_alg = sd_alg_of(payload, _ANY_HASH)
    disclosures = [decode_disclosure(d, sd_alg, limits) for d in parts.disclosures]
    done = process(payload, disclosures, limits)
    return SDJWT(
        jwt,
        header,
        payload,
        done.claims,
        done.disclosures,
        parts.kb_jwt,
        parts.serialization,
        sd_alg,
        parts,
        done.parents,
    )

"""Issuing an SD-JWT (RFC 9901 §4): disclosures, digests, decoys, ``cnf``, the signature."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, Union

from .._json import dumps
from ..errors import JoseError, SDJWTError
from ..jwk import Key
from ..jws import Signer, sign, sign_json
from ..jwt._claims import claims_bytes
from ._disclosure import (
    DIGESTS,
    ELLIPSIS,
    HASHES,
    SD_ALG,
    Disclosure,
    new_disclosure,
    random_digest,
)
from ._format import COMPACT, JSON, Serialization
from ._vc import check_issued

__all__ = ["SD", "Decoys", "issue"]

T = TypeVar("T")
Decoys = Union[int, tuple[int, int]]
"""Decoy digests per ``_sd`` array: a count, or a ``(min, max)`` range drawn at random."""

_RESERVED = frozenset({DIGESTS, ELLIPSIS, SD_ALG})
_MAX_DECOYS = 1000
_RANDOM = secrets.SystemRandom()


@dataclass(frozen=True, slots=True)
class SD(Generic[T]):
    """Marks a value as selectively disclosable.

    As an object member's value, the member is disclosable (``{"email": SD("a@b.example")}``);
    as an array element, the element is (``["US", SD("DE")]``). The value may itself hold
    ``SD`` markers: a disclosable object whose members are disclosable in turn.
    """

    value: T


class _Builder:
    """Turns claims holding :class:`SD` markers into a payload and its disclosures."""

    def __init__(self, sd_alg: str, decoys: Decoys) -> None:
        self.sd_alg = sd_alg
        self.decoys = decoys
        self.disclosures: list[Disclosure] = []

    def decoy_count(self) -> int:
        if isinstance(self.decoys, int):
            return self.decoys
        low, high = self.decoys
        return _RANDOM.randint(low, high)

    def disclose(self, name: str | None, value: Any, where: str) -> str:
        made = new_disclosure(name, self.build(value, where), self.sd_alg)
        self.disclosures.append(made)
        return made.digest

    def build(self, value: Any, where: str) -> Any:
        if isinstance(value, SD):
            raise SDJWTError(f"SD() at {where} marks nothing: wrap a member's value or an element")
        if isinstance(value, Mapping):
            return self.build_object(value, where)
        if isinstance(value, (list, tuple)):
            return self.build_array(value, where)
        return value

    def build_object(self, claims: Mapping[str, Any], where: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        digests: list[str] = []
        for name, value in claims.items():
            if not isinstance(name, str):
                raise SDJWTError(f"claim names must be strings, not {name!r} at {where}")
            if name in _RESERVED:
                raise SDJWTError(
                    f"the claim name {name!r} at {where} is reserved by SD-JWT (RFC 9901 §4.1)"
                )
            inner = f"{where}.{name}" if where else name
            if isinstance(value, SD):
                digests.append(self.disclose(name, value.value, inner))
            else:
                out[name] = self.build(value, inner)
        if digests:
            digests.extend(random_digest(self.sd_alg) for _ in range(self.decoy_count()))
            _RANDOM.shuffle(digests)
            out[DIGESTS] = digests
        return out

    def build_array(self, items: list[Any] | tuple[Any, ...], where: str) -> list[Any]:
        out: list[Any] = []
        for index, item in enumerate(items):
            inner = f"{where}[{index}]"
            if isinstance(item, SD):
                out.append({ELLIPSIS: self.disclose(None, item.value, inner)})
            else:
                out.append(self.build(item, inner))
        return out


def _check_decoys(decoys: object) -> Decoys:
    if isinstance(decoys, int) and not isinstance(decoys, bool) and 0 <= decoys <= _MAX_DECOYS:
        return decoys
    if (
        isinstance(decoys, tuple)
        and len(decoys) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) for n in decoys)
        and 0 <= decoys[0] <= decoys[1] <= _MAX_DECOYS
    ):
        return (decoys[0], decoys[1])
    raise JoseError(
        f"decoys must be a count or a (min, max) range within 0..{_MAX_DECOYS}, not {decoys!r}"
    )


def _cnf(holder_key: Key) -> dict[str, Any]:
    if not isinstance(holder_key, Key):
        raise JoseError(f"holder_key must be a josekit Key, not {type(holder_key).__name__}")
    if holder_key.is_symmetric:
        raise SDJWTError("holder_key must be an asymmetric key: its public half goes in cnf.jwk")
    jwk = holder_key.public().to_dict()
    return {"jwk": jwk}


def issue(
    claims: Mapping[str, Any],
    key: Key,
    alg: str,
    *,
    holder_key: Key | None = None,
    decoys: Decoys = 0,
    sd_alg: str = "sha-256",
    header: Mapping[str, Any] | None = None,
    typ: str | None = None,
    serialization: Serialization = COMPACT,
) -> str:
    """Issue an SD-JWT: the signed JWT with its digests, followed by every disclosure.

    Args:
        claims: the claims; values wrapped in :class:`SD` become selectively disclosable.
            ``exp``/``nbf``/``iat`` may be aware datetimes. Names ``_sd``, ``_sd_alg`` and
            ``...`` are refused.
        key: the issuer's signing key.
        alg: the JWS algorithm, e.g. ``"ES256"``.
        holder_key: the holder's key; its public members go in ``cnf.jwk`` so that
            presentations can carry a Key Binding JWT.
        decoys: extra random digests in each ``_sd`` array: a count, or a ``(min, max)``
            range drawn for each array (RFC 9901 §4.2.5).
        sd_alg: the hash of the digests, written as ``_sd_alg``.
        header: extra protected header parameters.
        typ: the header ``typ``, e.g. ``"dc+sd-jwt"`` for an SD-JWT VC (whose rules are
            then checked before signing: ``iss`` and ``vct`` present and never disclosable).
        serialization: ``"compact"`` (``jwt~d1~...~``) or ``"json"`` (RFC 9901 §8).

    Returns:
        The SD-JWT as text (for ``"json"``, a JSON object as text).

    Raises:
        SDJWTError: reserved claim names, a misplaced :class:`SD`, or an SD-JWT VC rule broken.
        JoseError: another subclass for a key unfit for ``alg`` or a bad option.
    """
    if not isinstance(claims, Mapping):
        raise SDJWTError(f"claims must be a mapping, not {type(claims).__name__}")
    if sd_alg not in HASHES:
        raise SDJWTError(f"sd_alg must be one of {', '.join(HASHES)}, not {sd_alg!r}")
    if serialization not in (COMPACT, JSON):
        raise JoseError(f"serialization must be 'compact' or 'json', not {serialization!r}")
    check_issued(claims, typ, SD)
    builder = _Builder(sd_alg, _check_decoys(decoys))
    payload = builder.build_object(claims, "")
    payload[SD_ALG] = sd_alg
    if holder_key is not None:
        if "cnf" in payload:
            raise SDJWTError("claims already hold 'cnf': pass either cnf or holder_key, not both")
        payload["cnf"] = _cnf(holder_key)
    protected: dict[str, Any] = dict(header or {})
    if typ is not None:
        protected["typ"] = typ
    body = claims_bytes(payload)
    encoded = [made.encoded for made in builder.disclosures]
    if serialization == JSON:
        signer = Signer(key, alg, protected=protected, header={"disclosures": encoded})
        return dumps(sign_json(body, [signer], flattened=True))
    jwt = sign(body, key, alg, header=protected or None)
    return "~".join([jwt, *encoded, ""])

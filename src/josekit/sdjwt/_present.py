"""The holder's side: choosing what to disclose and binding the presentation (RFC 9901 §4.3)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any, Union

from ..errors import JoseError, SDJWTError
from ..jwk import Key
from ..jws import sign
from ..jwt._claims import Instant, claims_bytes, instant
from ._disclosure import Disclosure, Path, digest
from ._format import hash_input_for, join
from ._parse import SDJWT, parse

__all__ = ["KB_TYP", "Disclose", "PathLike", "present"]

KB_TYP = "kb+jwt"
"""The ``typ`` of a Key Binding JWT."""

PathLike = Union[str, tuple[Union[str, int], ...]]
"""A claim path: ``"address.street"`` (member names only) or ``("nationalities", 0)``."""
Disclose = Union[Iterable[PathLike], Callable[[Path, Any], bool]]
"""What to disclose: claim paths, or a function of each disclosure's path and value."""


def _path(item: object) -> Path:
    if isinstance(item, str) and item:
        return tuple(item.split("."))
    if (
        isinstance(item, (tuple, list))
        and item
        and all(isinstance(step, (str, int)) and not isinstance(step, bool) for step in item)
    ):
        return tuple(item)
    raise JoseError(
        f"a claim path is 'name.inner' or a tuple such as ('nationalities', 0), not {item!r}"
    )


def _exists(claims: Any, path: Path) -> bool:
    node = claims
    for step in path:
        if isinstance(step, str):
            if not (isinstance(node, dict) and step in node):
                return False
            node = node[step]
        else:
            if not (isinstance(node, list) and 0 <= step < len(node)):
                return False
            node = node[step]
    return True


def _chosen(parsed: SDJWT, disclose: Disclose) -> list[Disclosure]:
    """The disclosures to keep, in their original order, with those they depend on."""
    if callable(disclose):
        picked = {d.digest for d in parsed.disclosures if disclose(d.path, d.value)}
    else:
        if isinstance(disclose, (str, bytes)):
            raise JoseError("disclose must be a list of claim paths, e.g. ['given_name']")
        paths = [_path(item) for item in disclose]
        for path in paths:
            if not _exists(parsed.claims, path):
                shown = ".".join(str(step) for step in path)
                raise SDJWTError(f"the SD-JWT has no claim at {shown!r} to disclose")
        picked = {
            d.digest
            for d in parsed.disclosures
            if any(d.path[: len(path)] == path for path in paths)
        }
    keep = set()
    for chosen in picked:
        current: str | None = chosen
        while current is not None and current not in keep:
            keep.add(current)
            current = parsed.parents.get(current)
    return [d for d in parsed.disclosures if d.digest in keep]


def _holder_matches(parsed: SDJWT, holder_key: Key) -> None:
    cnf = parsed.payload.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
    if not isinstance(jwk, dict):
        raise SDJWTError("the SD-JWT has no cnf.jwk: it cannot be presented with key binding")
    try:
        bound = Key.import_key(jwk)
    except JoseError as exc:
        raise SDJWTError(f"the SD-JWT's cnf.jwk is not a usable key: {exc}") from None
    if bound.thumbprint() != holder_key.public().thumbprint():
        raise SDJWTError("holder_key is not the key named in the SD-JWT's cnf.jwk")


def present(
    sd_jwt: str,
    disclose: Disclose,
    *,
    holder_key: Key | None = None,
    alg: str | None = None,
    audience: str | None = None,
    nonce: str | None = None,
    iat: Instant | None = None,
) -> str:
    """Make a presentation that discloses only the chosen claims.

    Args:
        sd_jwt: the SD-JWT as issued (compact or JSON; not already bound).
        disclose: the claim paths to disclose, e.g. ``["given_name", "address.street"]`` or
            ``[("nationalities", 0)]``; a path selects that claim and everything inside it.
            Or a function ``(path, value) -> bool`` deciding for each disclosure. The
            disclosures a kept one depends on (its enclosing disclosed objects) are always kept.
        holder_key: the holder's private key: appends a Key Binding JWT signed with it. It
            must be the key of the SD-JWT's ``cnf.jwk``.
        alg: the Key Binding JWT's algorithm (required with ``holder_key``).
        audience: the verifier's identifier, the KB-JWT's ``aud`` (required with ``holder_key``).
        nonce: the verifier's nonce for this presentation (required with ``holder_key``).
        iat: when the KB-JWT is made (seconds or an aware datetime); defaults to now.

    Returns:
        The presentation: an SD-JWT, or an SD-JWT+KB with ``holder_key``.

    Raises:
        SDJWTError: a path names no claim, the SD-JWT is already bound, or ``holder_key``
            is not the SD-JWT's ``cnf`` key.
        JoseError: a missing or invalid option.
    """
    parsed = parse(sd_jwt)
    if parsed.key_binding_jwt is not None:
        raise SDJWTError("this SD-JWT already carries a Key Binding JWT; present the issued one")
    kept = [d.encoded for d in _chosen(parsed, disclose)]
    if holder_key is None:
        if alg is not None or audience is not None or nonce is not None or iat is not None:
            raise JoseError("alg, audience, nonce and iat make a Key Binding JWT: pass holder_key")
        return join(parsed.parts, kept, None)
    if not isinstance(holder_key, Key):
        raise JoseError(f"holder_key must be a josekit Key, not {type(holder_key).__name__}")
    if alg is None or not isinstance(audience, str) or not audience:
        raise JoseError("key binding needs alg= and audience= (the verifier's identifier)")
    if not isinstance(nonce, str) or not nonce:
        raise JoseError("key binding needs nonce=, the verifier's nonce for this presentation")
    _holder_matches(parsed, holder_key)
    when = int(instant(iat) if iat is not None else time.time())
    sd_hash = digest(hash_input_for(parsed.parts, kept), parsed.sd_alg)
    body = claims_bytes({"iat": when, "aud": audience, "nonce": nonce, "sd_hash": sd_hash})
    kb_jwt = sign(body, holder_key, alg, header={"typ": KB_TYP})
    return join(parsed.parts, kept, kb_jwt)

"""The SD-JWT VC profile (draft-ietf-oauth-sd-jwt-vc): ``typ``, ``vct`` and its claim rules."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, Union

from ..errors import SDJWTError
from ..jwt._claims import media_type
from ._disclosure import Disclosure

__all__ = [
    "NEVER_DISCLOSED",
    "VC_TYPES",
    "VctOption",
    "check_issued",
    "check_verified",
    "is_vc",
]

VC_TYPES = frozenset({"dc+sd-jwt", "vc+sd-jwt"})
"""The ``typ`` values of an SD-JWT VC: ``dc+sd-jwt``, and the earlier ``vc+sd-jwt`` (only
when the caller names it)."""

NEVER_DISCLOSED = frozenset({"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"})
"""Top-level claims an SD-JWT VC must not make selectively disclosable ("Registered JWT
Claims"): a holder could otherwise withhold its validity or its type."""

VctOption = Union[str, Collection[str], None]
"""The expected ``vct``: one value, several accepted ones, or ``None`` for any."""


def is_vc(typ: str | None) -> bool:
    """Whether ``typ`` names the SD-JWT VC profile."""
    return typ is not None and media_type(typ) in VC_TYPES


def check_issued(claims: Mapping[str, Any], typ: str | None, marker: type) -> None:
    """Before signing an SD-JWT VC: ``iss`` and ``vct`` present, reserved claims plain."""
    if not is_vc(typ):
        return
    for name in sorted(NEVER_DISCLOSED & set(claims)):
        if isinstance(claims[name], marker):
            raise SDJWTError(
                f"an SD-JWT VC must not make {name!r} selectively disclosable (SD-JWT VC, "
                "Registered JWT Claims)"
            )
    for name in ("iss", "vct"):
        if type(claims.get(name)) is not str or not claims[name]:
            raise SDJWTError(f"an SD-JWT VC ({typ}) needs a plain {name!r} string claim")


def _accepted(vct: VctOption) -> Collection[str] | None:
    if vct is None:
        return None
    if isinstance(vct, str):
        return (vct,)
    return tuple(vct)


def check_verified(
    payload: Mapping[str, Any],
    claims: Mapping[str, Any],
    disclosures: Sequence[Disclosure],
    vct: VctOption,
    require_key_binding: bool,
) -> None:
    """After processing an SD-JWT VC: the profile's claim rules and the expected ``vct``.

    ``payload`` is the signed payload, ``claims`` the processed claims.

    Raises:
        SDJWTError: a reserved claim came from a disclosure; ``iss`` or ``vct`` is missing
            or not a string; ``vct`` is not the expected one; ``cnf`` is missing while key
            binding is required.
    """
    for item in disclosures:
        if len(item.path) == 1 and item.name in NEVER_DISCLOSED:
            raise SDJWTError(
                f"the SD-JWT VC discloses {item.name!r} selectively, which the profile forbids "
                "(SD-JWT VC, Registered JWT Claims): the credential is refused"
            )
    for name in ("iss", "vct"):
        value = claims.get(name)
        if type(value) is not str or not value:
            raise SDJWTError(f"an SD-JWT VC must carry a {name!r} string; this one does not")
    accepted = _accepted(vct)
    if accepted is not None and claims["vct"] not in accepted:
        expected = " or ".join(repr(v) for v in sorted(accepted))
        raise SDJWTError(f"the credential type vct is {claims['vct']!r}, not {expected}")
    if require_key_binding and "cnf" not in payload:
        raise SDJWTError("an SD-JWT VC presented with key binding must carry 'cnf'")

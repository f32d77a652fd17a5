"""Reading fetched documents: a metadata document or a JWK Set, strictly, within limits."""

from __future__ import annotations

from typing import Any

from .._json import loads_object
from ..errors import JoseError, JWKSFetchError
from ..jwk import KeySet
from ..jwk._keyset import members_of
from ..policy import Limits
from ._http import Fetched
from ._urls import redact_url

__all__ = ["parse_document", "parse_key_set"]


def parse_document(fetched: Fetched, what: str, limits: Limits) -> dict[str, Any]:
    """The body as one strict JSON object (no duplicate members, bounded depth)."""
    try:
        return loads_object(fetched.body, what, limits.max_json_depth)
    except JoseError as exc:
        raise JWKSFetchError(
            f"the {what} at {redact_url(fetched.url)} is not valid: {exc}"
        ) from None


def parse_key_set(fetched: Fetched, limits: Limits, strict: bool = False) -> KeySet:
    """The body as a JWK Set of public asymmetric keys with distinct ``kid`` values.

    The structure is checked now, before any key is imported: a private or symmetric
    member refuses the whole set (it was never meant to be published). A member josekit
    cannot use is skipped with a warning, its material checked on first use (see
    :meth:`KeySet.import_key_set`); ``strict`` imports every key now and refuses the set for
    one invalid member.

    Raises:
        JWKSFetchError: not strict JSON, not a JWK Set, a duplicate ``kid``, a private or
            symmetric key, more keys than ``limits.max_keys``, no key at all, or (with
            ``strict``) an invalid key.
    """
    shown = redact_url(fetched.url)
    try:
        items = members_of(fetched.body, limits)
        keys = KeySet._import_members(items, strict, f" from {shown}", public_only=True)
    except JoseError as exc:
        raise JWKSFetchError(f"the JWK Set at {shown} is not valid: {exc}") from None
    if not len(keys):
        detail = f": all {len(items)} members were skipped" if items else ""
        raise JWKSFetchError(
            f"the JWK Set at {shown} is empty{detail}; it holds no key to verify with (the "
            "keys fetched before, if any, stay in use)"
        )
    return keys

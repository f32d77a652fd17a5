"""Reading fetched documents: a metadata document or a JWK Set, strictly, within limits."""

from __future__ import annotations

from typing import Any

from .._json import loads_object
from ..errors import JoseError, JWKSFetchError
from ..jwk import KeySet
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


def parse_key_set(fetched: Fetched, limits: Limits) -> KeySet:
    """The body as a JWK Set of public asymmetric keys with distinct ``kid`` values.

    Raises:
        JWKSFetchError: not JSON, not a JWK Set, an invalid key, a duplicate ``kid``, a
            private or symmetric key, or more keys than ``limits.max_keys``.
    """
    document = parse_document(fetched, "JWK Set", limits)
    try:
        keys = KeySet.import_key_set(document, limits=limits)
    except JoseError as exc:
        raise JWKSFetchError(
            f"the JWK Set at {redact_url(fetched.url)} is not valid: {exc}"
        ) from None
    for key in keys:
        if key.is_symmetric or key.is_private:
            kind = "a symmetric ('oct')" if key.is_symmetric else "a private"
            raise JWKSFetchError(
                f"the JWK Set at {redact_url(fetched.url)} holds {kind} key (kid {key.kid!r}); "
                "a published "
                "JWK Set must hold public keys only, so it is refused"
            )
    return keys

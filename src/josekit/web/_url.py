"""The URL a DPoP proof is checked against behind a reverse proxy (SECURITY-NOTES-2 §2 #2).

Behind a TLS-terminating proxy the application sees ``http://10.0.0.5:8000/path`` while the
client signed ``htu = https://api.example.com/path``; and a URL built from the ``Host`` or
``X-Forwarded-*`` headers is the attacker's choice. With a configured public base URL the
expected ``htu`` is that base plus the request's path: the request's scheme, host and port
play no part. Both URLs go through :func:`josekit.dpop.normalize_url`, the one normaliser.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..dpop import normalize_url
from ..errors import JoseError

__all__ = ["expected_url", "public_base"]

_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def public_base(value: object) -> str:
    """A valid ``public_url``, normalised and without its trailing ``/``.

    Raises:
        JoseError: not an absolute https URL (http only to a loopback host), or one with
            user info, a query or a fragment.
    """
    refused = JoseError(
        "public_url must be the API's external base URL, absolute https (http only to "
        "localhost, 127.0.0.1 or ::1) with no user info, query or fragment, such as "
        "'https://api.example.com' or 'https://api.example.com/base' (the value given is "
        "not repeated here: it may hold a password)"
    )
    if not isinstance(value, str) or "?" in value or "#" in value:
        raise refused
    try:
        base = normalize_url(value)
    except ValueError:
        raise refused from None
    if base.startswith("http:") and urlsplit(base).hostname not in _LOOPBACK:
        raise refused
    return base.rstrip("/")


def expected_url(base: str, url: str) -> str:
    """The URL a proof is expected for: ``base`` + the path of the request ``url``.

    The path is taken as the adapter gave it (its percent-encoding as received); the query
    and fragment are dropped, and the scheme, host and port of ``url`` are ignored.
    """
    return base + (urlsplit(url).path or "/")

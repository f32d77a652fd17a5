"""The ``Authorization`` request header (RFC 6750 §2.1, RFC 9110 §11.6.2), parsed once.

``credentials = auth-scheme 1*SP token68``: the scheme compares case-insensitively, the
value must be one token68 (``[A-Za-z0-9-._~+/]+=*``) of at most 8 KiB. Several header lines
arrive joined by commas (RFC 9110 §5.3), which no token68 contains, so two credentials are
always refused and never "first wins".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

__all__ = [
    "MAX_CREDENTIALS",
    "Credentials",
    "HeaderRefused",
    "form_token",
    "parse_authorization",
    "url_token",
]

MAX_CREDENTIALS = 8192
"""Longest ``Authorization`` value (and token) read, in characters."""

_TOKEN68 = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_SCHEMES = {"bearer": "Bearer", "dpop": "DPoP"}


class HeaderRefused(Exception):
    """The header cannot be used; ``kind`` is a key of the refusal table."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Credentials:
    """An access token and the scheme it came with (``"Bearer"`` or ``"DPoP"``)."""

    scheme: str
    token: str


def _token68(value: str) -> str:
    if len(value) > MAX_CREDENTIALS or not _TOKEN68.fullmatch(value):
        raise HeaderRefused("multiple" if "," in value else "malformed")
    return value


def parse_authorization(value: str | None) -> Credentials | None:
    """The credentials of an ``Authorization`` value; ``None`` when there is none.

    Raises:
        HeaderRefused: ``malformed`` (not ``scheme SP token68``), ``multiple`` (several
            credentials joined by commas) or ``scheme`` (a scheme other than Bearer/DPoP).
    """
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_CREDENTIALS + 16:
        raise HeaderRefused("malformed")
    value = value.strip(" \t")
    scheme, sep, rest = value.partition(" ")
    name = _SCHEMES.get(scheme.lower())
    if name is None:
        lowered = value.lower()
        if "," in value and any(f"{s} " in lowered for s in _SCHEMES):
            raise HeaderRefused("multiple")
        if not scheme or not scheme.isascii() or not scheme.isalnum():
            raise HeaderRefused("malformed")
        raise HeaderRefused("scheme")
    if not sep:
        raise HeaderRefused("malformed")
    return Credentials(name, _token68(rest.lstrip(" ")))


def url_token(url: str | None) -> str | None:
    """The ``access_token`` query parameter of a request URL (RFC 6750 §2.3), if any.

    Raises:
        HeaderRefused: ``multiple`` when the parameter appears more than once,
            ``malformed`` when its value is not a token68.
    """
    # A quick no before parsing; "%" because a percent-encoded name is the same parameter.
    if not url or ("access_token" not in url and "%" not in url):
        return None
    values = [
        v for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True) if k == "access_token"
    ]
    if not values:
        return None
    if len(values) > 1:
        raise HeaderRefused("multiple")
    return _token68(values[0])


def form_token(value: str | None) -> str | None:
    """The ``access_token`` of a form-encoded body (RFC 6750 §2.2), as the adapter read it.

    Several values arrive joined by commas, which no token68 contains.

    Raises:
        HeaderRefused: ``multiple`` or ``malformed``.
    """
    return None if value is None else _token68(value)

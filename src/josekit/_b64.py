"""Strict base64url (RFC 7515 §2, Appendix C): no padding, one alphabet, canonical bits."""

from __future__ import annotations

import base64
import binascii
import re

from .errors import MalformedError

__all__ = ["b64d", "b64e", "b64e_str"]

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_VALID = re.compile(r"[A-Za-z0-9_-]*\Z")
# For a final group of 2 (3) characters, the last character carries 4 (2) unused bits,
# which must be zero: otherwise several strings decode to the same bytes.
_MASK = {2: 0x0F, 3: 0x03}
_PAD = ("", "", "==", "=")


def b64e(data: bytes) -> bytes:
    """Encode bytes as unpadded base64url, returning ASCII bytes."""
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def b64e_str(data: bytes) -> str:
    """Encode bytes as unpadded base64url, returning a str."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(data: str | bytes, what: str = "value") -> bytes:
    """Decode strict unpadded base64url; raise :class:`MalformedError` on anything else."""
    if isinstance(data, bytes):
        try:
            data = data.decode("ascii")
        except UnicodeDecodeError:
            raise MalformedError(f"{what} is not valid base64url") from None
    elif not isinstance(data, str):
        raise MalformedError(f"{what} must be a base64url string, not {type(data).__name__}")
    rem = len(data) % 4
    if rem == 1 or _VALID.match(data) is None:
        raise MalformedError(f"{what} is not valid base64url (unpadded, alphabet A-Z a-z 0-9 - _)")
    if rem and _ALPHABET.index(data[-1]) & _MASK[rem]:
        raise MalformedError(f"{what} is not canonical base64url (non-zero unused bits)")
    try:
        return base64.urlsafe_b64decode(data + _PAD[rem])
    except (binascii.Error, ValueError):  # pragma: no cover - guarded by the checks above
        raise MalformedError(f"{what} is not valid base64url") from None

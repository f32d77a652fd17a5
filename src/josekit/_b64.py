"""Strict base64url (RFC 7515 §2, Appendix C): no padding, one alphabet, canonical bits.

Exactly one text decodes to given bytes: padding (``=``), the standard alphabet's ``+`` and
``/``, whitespace and any other character are refused, and so are final characters whose
unused low bits are not zero. Otherwise several strings would verify as the same token.
"""

from __future__ import annotations

import base64
import binascii
import re
import sys

from .errors import MalformedError

__all__ = ["b64d", "b64e", "b64e_str"]

_PAD = (b"", b"", b"==", b"=")
# For a final group of 2 (3) characters the last character carries 4 (2) unused bits, which
# must be zero: these are the characters of the alphabet whose low 4 (2) bits are zero.
_FINAL: tuple[frozenset[int], ...] = (
    frozenset(),
    frozenset(),
    frozenset(b"AQgw"),
    frozenset(b"AEIMQUYcgkosw048"),
)
# url-safe -> standard alphabet; '+', '/' and '=' become '!', which the strict decoder refuses.
_TO_STANDARD = bytes.maketrans(b"-_+/=", b"+/!!!")
_VALID = re.compile(rb"[A-Za-z0-9_-]*")


_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")


def b64e(data: bytes) -> bytes:
    """Encode bytes as unpadded base64url, returning ASCII bytes."""
    return binascii.b2a_base64(data, newline=False).translate(_TO_URLSAFE).rstrip(b"=")


def b64e_str(data: bytes) -> str:
    """Encode bytes as unpadded base64url, returning a str."""
    return (
        binascii.b2a_base64(data, newline=False).translate(_TO_URLSAFE).rstrip(b"=").decode("ascii")
    )


def _invalid(what: str) -> MalformedError:
    return MalformedError(f"{what} is not valid base64url (unpadded, alphabet A-Z a-z 0-9 - _)")


def _ascii(data: object, what: str) -> bytes:
    """The ASCII bytes of a str or bytes-like value, or :class:`MalformedError`."""
    if isinstance(data, str):
        try:
            return data.encode("ascii")
        except UnicodeEncodeError:
            raise _invalid(what) from None
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise MalformedError(f"{what} must be a base64url string, not {type(data).__name__}")


def _check_end(raw: bytes, rem: int, what: str) -> None:
    """Refuse a length of 1 modulo 4, and a final character with non-zero unused bits."""
    if rem == 1:
        raise _invalid(what)
    if raw[-1] not in _FINAL[rem]:
        if _VALID.fullmatch(raw) is None:
            raise _invalid(what)
        raise MalformedError(f"{what} is not canonical base64url (non-zero unused bits)")


if sys.version_info >= (3, 11):

    def b64d(data: str | bytes, what: str = "value") -> bytes:
        """Decode strict unpadded base64url; raise :class:`MalformedError` on anything else."""
        raw = data.encode("ascii") if type(data) is str and data.isascii() else _ascii(data, what)
        rem = len(raw) & 3
        if rem and (rem == 1 or raw[-1] not in _FINAL[rem]):
            _check_end(raw, rem, what)
        try:
            # The strict decoder refuses every character outside the alphabet.
            return binascii.a2b_base64(raw.translate(_TO_STANDARD) + _PAD[rem], strict_mode=True)
        except binascii.Error:
            raise _invalid(what) from None

else:  # pragma: no cover - Python 3.10: a2b_base64 has no strict mode and skips junk

    def b64d(data: str | bytes, what: str = "value") -> bytes:
        """Decode strict unpadded base64url; raise :class:`MalformedError` on anything else."""
        raw = _ascii(data, what)
        rem = len(raw) & 3
        if rem:
            _check_end(raw, rem, what)
        if _VALID.fullmatch(raw) is None:
            raise _invalid(what)
        return base64.urlsafe_b64decode(raw + _PAD[rem])

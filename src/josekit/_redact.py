"""Reprs of results that never show a claim value, payload byte or plaintext.

A result's ``repr()``/``str()`` reaches logs and tracebacks: it shows the header, the key's
label (its ``repr``, which carries no key material) and the claim *names* or payload *size*.
The values stay on the attributes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["redacted"]


def _show(name: str, value: Any) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"{name}=<{len(value)} bytes>"
    if isinstance(value, Mapping) and name.endswith("claims"):
        return f"{name}=<claims {sorted(map(str, value))!r}>"
    if isinstance(value, (tuple, list)) and name not in ("header",):
        return f"{name}=<{len(value)} items>"
    return f"{name}={value!r}"


def redacted(obj: object, names: tuple[str, ...]) -> str:
    """``Type(name=..., ...)`` with values that are bytes, claims or sequences summarised.

    ``names`` are the attributes shown, in order: headers and keys as they are, claims as
    their sorted names, bytes as their length, sequences as their count.
    """
    parts = (_show(name, getattr(obj, name)) for name in names)
    return f"{type(obj).__name__}({', '.join(parts)})"

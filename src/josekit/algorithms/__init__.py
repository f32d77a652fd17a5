"""The algorithm tables: one frozen descriptor per JOSE algorithm identifier."""

from __future__ import annotations

from ._registry import Registry
from .signing import SIGNATURE_ALGORITHMS, SignatureAlgorithm

__all__ = ["SIGNATURE_ALGORITHMS", "Registry", "SignatureAlgorithm"]

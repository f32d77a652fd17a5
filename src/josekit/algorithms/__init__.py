"""The algorithm tables: one frozen descriptor per JOSE algorithm identifier."""

from __future__ import annotations

from ._registry import Registry
from .content import CONTENT_ENCRYPTION, ContentEncryption
from .key_management import KEY_MANAGEMENT, KeyManagement
from .signing import SIGNATURE_ALGORITHMS, SignatureAlgorithm

__all__ = [
    "CONTENT_ENCRYPTION",
    "KEY_MANAGEMENT",
    "SIGNATURE_ALGORITHMS",
    "ContentEncryption",
    "KeyManagement",
    "Registry",
    "SignatureAlgorithm",
]

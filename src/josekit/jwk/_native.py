"""Reading PEM and DER documents into ``cryptography`` key objects (the key is checked later)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from ..errors import InvalidKeyError, MalformedError, UnsupportedAlgorithmError

__all__ = ["load_der", "load_pem"]


def load_pem(data: bytes, password: bytes | None) -> Any:
    """The key of a PEM private key, public key or certificate (by its label)."""
    label = data.split(b"\n", 1)[0]
    if b"CERTIFICATE-----" in label:
        return _load(
            (lambda: x509.load_pem_x509_certificate(data).public_key(),), "PEM certificate"
        )
    if b"PRIVATE KEY-----" in label:
        return _load(
            (lambda: serialization.load_pem_private_key(data, password),), "PEM private key"
        )
    return _load((lambda: serialization.load_pem_public_key(data),), "PEM public key")


def load_der(data: bytes, password: bytes | None) -> Any:
    """The key of a DER private key, public key or certificate.

    DER has no label: a private key is tried, then a public key, then a certificate. Only a
    private key can have a password.
    """
    loaders: tuple[Callable[[], Any], ...] = (
        lambda: serialization.load_der_private_key(data, password),
    )
    if password is not None:
        return _load(loaders, "DER private key")
    loaders += (
        lambda: serialization.load_der_public_key(data),
        lambda: x509.load_der_x509_certificate(data).public_key(),
    )
    return _load(loaders, "DER data as a key or certificate")


def _load(loaders: Sequence[Callable[[], Any]], what: str) -> Any:
    """The first key a loader returns; loaders that cannot parse the data are skipped."""
    reason = ""
    for load in loaders:
        try:
            return load()
        except TypeError as exc:  # the password is missing, superfluous or not bytes
            raise InvalidKeyError(f"cannot load the {what}: {exc}") from None
        except UnsupportedAlgorithm as exc:
            raise UnsupportedAlgorithmError(
                f"the {what} holds a key of a type josekit does not support: {exc}"
            ) from None
        except ValueError as exc:
            reason = f" ({exc})" if len(loaders) == 1 else ""
    raise MalformedError(
        f"cannot parse the {what}{reason}; if it is an encrypted private key, check the password"
    )

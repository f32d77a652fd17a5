"""PEM and DER: documents read into ``cryptography`` key objects (checked later), and written."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from ..errors import InvalidKeyError, MalformedError, UnsupportedAlgorithmError

__all__ = ["dump_pem", "load_der", "load_pem", "password_bytes"]


def password_bytes(password: bytes | str | None) -> bytes | None:
    """A PEM/DER password as bytes (a ``str`` is UTF-8 encoded)."""
    if password is None or isinstance(password, bytes):
        return password
    if isinstance(password, str):
        return password.encode("utf-8")
    raise InvalidKeyError(f"password must be bytes or str, not {type(password).__name__}")


def dump_pem(obj: Any, private: bool, password: bytes | None) -> str:
    """``obj`` as PEM: PKCS#8 if ``private`` (encrypted when ``password``), else SPKI.

    Raises:
        InvalidKeyError: pyca/cryptography has no PEM form for this key (the hybrid
            post-quantum HPKE keys today): export it as a JWK.
    """
    if not hasattr(obj, "private_bytes" if private else "public_bytes"):
        raise InvalidKeyError(
            "this key has no PEM form in pyca/cryptography (the hybrid post-quantum HPKE keys "
            "have none yet): export it as a JWK (to_dict)"
        )
    if private:
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        data = obj.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
    else:
        data = obj.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    return bytes(data).decode("ascii")


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

"""Confirmation claims (RFC 7800): binding a token to a key (DPoP) or a client certificate.

An issuer puts ``cnf`` in the token it issues; the resource server checks that whoever
presents it holds the confirmed key (a DPoP proof's ``jkt``, RFC 9449 §6) or certificate
(mTLS, ``x5t#S256``, RFC 8705 §3.1).

>>> from josekit import cnf, jwk
>>> key = jwk.generate("EC", crv="P-256")
>>> claims = {"sub": "user-1", "cnf": cnf.confirmation(key)}
>>> cnf.check_confirmation(claims, key=key.public())
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any, Union

from ._b64 import b64e_str
from .errors import InvalidClaimError, InvalidKeyError, JoseError, MissingClaimError
from .jwk import Key

__all__ = ["Certificate", "check_confirmation", "confirmation", "jkt", "x5t_s256"]

Certificate = Union[bytes, Any]
"""A client certificate: DER bytes, or a ``cryptography.x509.Certificate``."""


def jkt(key: Key) -> str:
    """The RFC 7638 SHA-256 thumbprint of an asymmetric key: the value of ``cnf.jkt``."""
    if not isinstance(key, Key) or key.is_symmetric:
        raise InvalidKeyError("cnf.jkt confirms an asymmetric key (a secret 'oct' key has none)")
    return key.thumbprint("SHA-256")


def x5t_s256(certificate: Certificate) -> str:
    """The base64url SHA-256 of a certificate's DER encoding: ``cnf["x5t#S256"]``."""
    if isinstance(certificate, (bytes, bytearray, memoryview)):
        der = bytes(certificate)
    else:
        from cryptography.hazmat.primitives.serialization import Encoding

        try:
            der = certificate.public_bytes(Encoding.DER)
        except AttributeError:
            raise JoseError(
                "certificate must be DER bytes or a cryptography.x509.Certificate"
            ) from None
    if not der:
        raise JoseError("certificate is empty")
    return b64e_str(hashlib.sha256(der).digest())


def confirmation(
    key: Key | None = None, *, certificate: Certificate | None = None
) -> dict[str, str]:
    """The ``cnf`` claim an issuer puts in a token bound to ``key`` or to ``certificate``.

    Exactly one of them: ``{"jkt": ...}`` for a DPoP key, ``{"x5t#S256": ...}`` for an mTLS
    client certificate.
    """
    if (key is None) == (certificate is None):
        raise JoseError("confirmation() binds to exactly one of key= or certificate=")
    if key is not None:
        return {"jkt": jkt(key)}
    return {"x5t#S256": x5t_s256(certificate)}


def _member(cnf: Mapping[str, Any], name: str, what: str) -> str:
    value = cnf.get(name)
    if value is None:
        raise InvalidClaimError(
            f"the token is not bound to {what}: its 'cnf' has no {name!r}", "cnf"
        )
    if type(value) is not str or not value:
        raise InvalidClaimError(f"the token's cnf {name!r} must be a non-empty string", "cnf")
    return value


def check_confirmation(
    claims: Mapping[str, Any], *, key: Key | None = None, certificate: Certificate | None = None
) -> None:
    """Check that the token's ``cnf`` confirms the presented key and/or certificate.

    Args:
        claims: the verified token's claims (never an unverified token's).
        key: the key the client proved it holds (a DPoP proof's ``key``); ``cnf.jkt``
            must be its thumbprint.
        certificate: the client's TLS certificate; ``cnf["x5t#S256"]`` must be its hash.

    Raises:
        MissingClaimError: the token has no ``cnf`` (``.claim == "cnf"``).
        InvalidClaimError: ``cnf`` is malformed, binds to something else, or does not match.
        JoseError: neither ``key`` nor ``certificate`` was given.
    """
    if key is None and certificate is None:
        raise JoseError("check_confirmation() needs the presented key= and/or certificate=")
    cnf = claims.get("cnf")
    if cnf is None:
        raise MissingClaimError("the token has no 'cnf' claim, but it must be bound", "cnf")
    if not isinstance(cnf, Mapping):
        raise InvalidClaimError("the token's 'cnf' claim must be a JSON object", "cnf")
    if key is not None:
        bound = _member(cnf, "jkt", "a DPoP key")
        if not hmac.compare_digest(bound.encode(), jkt(key).encode()):
            raise InvalidClaimError(
                "the token is bound to another key: its cnf.jkt is not the thumbprint of "
                "the presented key",
                "cnf",
            )
    if certificate is not None:
        bound = _member(cnf, "x5t#S256", "a client certificate")
        if not hmac.compare_digest(bound.encode(), x5t_s256(certificate).encode()):
            raise InvalidClaimError(
                "the token is bound to another certificate: its cnf x5t#S256 is not the "
                "hash of the presented client certificate",
                "cnf",
            )

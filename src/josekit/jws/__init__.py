"""JSON Web Signature (RFC 7515): sign and verify in compact and JSON serializations.

>>> from josekit import jwk, jws
>>> key = jwk.generate("OKP", crv="Ed25519")
>>> token = jws.sign(b"hello", key, "Ed25519")
>>> jws.verify(token, key.public(), algorithms=["Ed25519"]).payload
b'hello'
"""

from __future__ import annotations

from ._async import sign_async, sign_json_async
from ._common import Signer, UnsecuredJWS, VerifiedJWS
from ._compact import sign, verify
from ._json import sign_json, verify_json
from ._unsecured import decode_unsecured, encode_unsecured
from ._unverified import unverified_header

__all__ = [
    "Signer",
    "UnsecuredJWS",
    "VerifiedJWS",
    "decode_unsecured",
    "encode_unsecured",
    "sign",
    "sign_async",
    "sign_json",
    "sign_json_async",
    "unverified_header",
    "verify",
    "verify_json",
]

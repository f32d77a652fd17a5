"""JSON Web Tokens (RFC 7519): signed, encrypted and nested, with claim validation (RFC 8725).

>>> from josekit import jwk, jwt
>>> key = jwk.generate("EC", crv="P-256", kid="k1")
>>> token = jwt.encode({"iss": "https://issuer.example", "sub": "user-1"}, key, "ES256")
>>> jwt.decode(token, key.public(), algorithms=["ES256"], issuer="https://issuer.example").claims
{'iss': 'https://issuer.example', 'sub': 'user-1'}

The caller always says which kind of token it expects: :func:`decode` takes a signed JWT,
:func:`decode_encrypted` an encrypted one and :func:`decode_nested` one signed and then
encrypted; a token of another kind is refused, never guessed. Each decoder has an async twin
(:func:`decode_async`, :func:`decode_access_token_async`...) that takes the same arguments and
any key source, including :class:`~josekit.jwks.AsyncRemoteKeySet`; :func:`encode_async` and
:func:`encode_nested_async` sign with a key whose async backend (a remote KMS) is awaited,
like the decoders of encrypted JWTs decrypt with one. Unsecured JWTs
(``alg: none``) exist only through :func:`encode_unsecured` and :func:`decode_unsecured`.
"""

from __future__ import annotations

from ._async import (
    decode_access_token_async,
    decode_async,
    decode_encrypted_async,
    decode_id_token_async,
    decode_nested_async,
    encode_async,
    encode_nested_async,
)
from ._claims import Duration, Instant, StringOrList
from ._encrypted import decode_encrypted, decode_nested, encode_encrypted, encode_nested
from ._profiles import ACCESS_TOKEN_CLAIMS, ID_TOKEN_CLAIMS, decode_access_token, decode_id_token
from ._signed import decode, decode_unsecured, encode, encode_unsecured
from ._token import NestedToken, Token, UnsecuredToken
from ._unverified import unverified_claims, unverified_header

__all__ = [
    "ACCESS_TOKEN_CLAIMS",
    "Duration",
    "ID_TOKEN_CLAIMS",
    "Instant",
    "NestedToken",
    "StringOrList",
    "Token",
    "UnsecuredToken",
    "decode",
    "decode_access_token",
    "decode_access_token_async",
    "decode_async",
    "decode_encrypted",
    "decode_encrypted_async",
    "decode_id_token",
    "decode_id_token_async",
    "decode_nested",
    "decode_nested_async",
    "decode_unsecured",
    "encode",
    "encode_async",
    "encode_encrypted",
    "encode_nested",
    "encode_nested_async",
    "encode_unsecured",
    "unverified_claims",
    "unverified_header",
]

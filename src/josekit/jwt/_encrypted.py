"""Encrypted JWTs (a JWE whose plaintext is the claims) and nested JWTs (signed, then encrypted).

RFC 7519 §11.2: when both are wanted, sign first and encrypt the signed JWT; the outer JWE
then says ``cty: JWT`` (§5.2). The caller names the kind it expects, so a JWS is never read
as a JWE, nor an encrypted claims set as a nested token, nor the reverse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Union

from .. import jwe
from ..algorithms.key_management import KEY_MANAGEMENT
from ..algorithms.signing import SIGNATURE_ALGORITHMS
from ..errors import AlgorithmNotAllowedError, InvalidHeaderError, MalformedError
from ..jwk import Key, KeyResolver
from ..policy import DEFAULT_LIMITS, Limits
from ._claims import (
    Duration,
    Instant,
    StringOrList,
    claim_checks,
    claims_bytes,
    media_type,
    validate,
)
from ._signed import KeySource, decode_with, encode, jwt_header, parse_claims, text_token
from ._token import NestedToken, Token

__all__ = [
    "DecryptionKeySource",
    "encrypted_text",
    "nested_text",
    "open_nested",
    "decode_encrypted",
    "decode_nested",
    "encode_encrypted",
    "encode_nested",
]

DecryptionKeySource = Union[Key, KeyResolver, str, bytes]
"""A JWE key: a :class:`~josekit.Key`, a key set or resolver, or a PBES2 password."""


def _not_encrypted(token: str, function: str) -> MalformedError:
    dots = token.count(".")
    if dots == 2:
        return MalformedError(
            f"this token has three parts: it is a JWS (a signed JWT), not a JWE; {function} "
            "takes an encrypted token: use jwt.decode() for a signed JWT"
        )
    if token.lstrip().startswith("{"):
        return MalformedError("a JWT uses the compact serialization, never the JSON one")
    return MalformedError("an encrypted JWT has exactly five parts separated by '.'")


def encode_encrypted(
    claims: Mapping[str, Any],
    key: DecryptionKeySource,
    alg: str,
    enc: str | None,
    *,
    header: Mapping[str, Any] | None = None,
) -> str:
    """Encrypt a claims set and return the JWT (a JWE Compact Serialization).

    The claims are encrypted, not signed: anyone holding the recipient's public key can
    produce such a token. When the recipient must know who issued it, use
    :func:`encode_nested` (sign, then encrypt).

    Args:
        claims: the claims, as for :func:`encode`.
        key: the recipient's key (its public key for RSA and ECDH, the shared key for
            ``dir``/AES key wrap, a password for PBES2).
        alg: the key management algorithm, e.g. ``"ECDH-ES+A256KW"``.
        enc: the content encryption algorithm, e.g. ``"A256GCM"``; ``None`` only for HPKE
            Integrated Encryption (``alg`` ``"HPKE-0"`` etc.), which has no ``enc``.
        header: extra protected header parameters; ``typ`` is ``"JWT"`` unless given.
    """
    payload = claims_bytes(claims)
    return jwe.encrypt(payload, key, alg, enc, header=jwt_header(header, "jwt.encode_encrypted()"))


def encode_nested(
    claims: Mapping[str, Any],
    signing_key: Key,
    sign_alg: str,
    encryption_key: DecryptionKeySource,
    alg: str,
    enc: str | None,
    *,
    header: Mapping[str, Any] | None = None,
    encryption_header: Mapping[str, Any] | None = None,
) -> str:
    """Sign a claims set, then encrypt the signed JWT: a nested JWT (RFC 7519 §11.2, A.2).

    Args:
        claims: the claims, as for :func:`encode`.
        signing_key: the issuer's signing key.
        sign_alg: the JWS algorithm of the inner signature.
        encryption_key: the recipient's key, as for :func:`encode_encrypted`.
        alg: the JWE key management algorithm.
        enc: the JWE content encryption algorithm (None for HPKE Integrated Encryption).
        header: extra header parameters of the inner JWS (``typ`` is ``"JWT"`` unless given).
        encryption_header: extra protected header parameters of the outer JWE; its ``cty``
            is always ``"JWT"``.
    """
    outer: dict[str, Any] = dict(encryption_header or {})
    cty = outer.setdefault("cty", "JWT")
    if not (isinstance(cty, str) and media_type(cty) == "jwt"):
        raise InvalidHeaderError(f"the outer JWE of a nested JWT has cty 'JWT', not {cty!r}")
    inner = encode(claims, signing_key, sign_alg, header=header)
    return jwe.encrypt(inner, encryption_key, alg, enc, header=outer)


def decode_encrypted(
    token: str | bytes,
    key_or_keyset: DecryptionKeySource,
    *,
    algorithms: Iterable[str],
    encryptions: Iterable[str] | None = None,
    issuer: StringOrList | None = None,
    audience: StringOrList | None = None,
    subject: str | None = None,
    leeway: Duration = 0,
    required: Iterable[str] = (),
    typ: str | None = None,
    max_age: Duration | None = None,
    now: Instant | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Token:
    """Decrypt an encrypted JWT and validate its claims.

    Decryption (which authenticates the ciphertext) comes first; the claims are read only
    from the decrypted bytes. A JWS is refused (use :func:`decode`), and so is a nested JWT,
    whose header says ``cty: JWT`` (use :func:`decode_nested`).

    Args:
        key_or_keyset: the recipient's private key (or shared key, or PBES2 password), a key
            set or a resolver.
        algorithms: the key management ``alg`` values accepted; required and non-empty.
            ``RSA1_5`` and ``PBES2-*`` are accepted only when listed.
        encryptions: the ``enc`` values accepted; ``None`` accepts every one implemented.

    The claim options and ``limits`` are those of :func:`decode`; ``typ`` is compared with
    the JWE header's ``typ``.
    """
    checks = claim_checks(
        issuer=issuer,
        audience=audience,
        subject=subject,
        leeway=leeway,
        required=required,
        typ=typ,
        max_age=max_age,
        now=now,
    )
    text = encrypted_text(token, limits, "jwt.decode_encrypted()")
    result = jwe.decrypt(
        text, key_or_keyset, algorithms=algorithms, encryptions=encryptions, limits=limits
    )
    header = result.header
    claims = parse_claims(result.plaintext, header, limits)
    validate(claims, header, checks)
    return Token(claims, header, result.key)


def encrypted_text(token: object, limits: Limits, function: str) -> str:
    """A compact JWE as ASCII text within the size limit (five parts), else the error."""
    text = text_token(token, limits)
    if text.count(".") != 4:
        raise _not_encrypted(text, function)
    return text


def nested_text(token: object, limits: Limits) -> str:
    """:func:`encrypted_text` for :func:`decode_nested`."""
    return encrypted_text(token, limits, "jwt.decode_nested()")


def _refuse_signature_algorithms(algorithms: object) -> None:
    """Name the mix-up of a JWS ``alg`` given in ``algorithms`` (the JWE's list)."""
    if not isinstance(algorithms, (list, tuple, set, frozenset)):
        return
    misplaced = sorted(
        name
        for name in algorithms
        if isinstance(name, str) and name in SIGNATURE_ALGORITHMS and name not in KEY_MANAGEMENT
    )
    if misplaced:
        raise AlgorithmNotAllowedError(
            f"algorithms names the key-management algorithms of the outer JWE (such as "
            f"'RSA-OAEP-256' or 'ECDH-ES+A256KW'); {', '.join(map(repr, misplaced))} "
            "signs the inner JWT: put the signature algorithms in signing_algorithms"
        )


def open_nested(
    text: str,
    decryption_key: DecryptionKeySource,
    algorithms: Iterable[str],
    encryptions: Iterable[str] | None,
    limits: Limits,
) -> tuple[jwe.DecryptedJWE, str]:
    """Decrypt the outer JWE of a nested JWT; return it and the inner compact JWS."""
    _refuse_signature_algorithms(algorithms)
    outer = jwe.decrypt(
        text, decryption_key, algorithms=algorithms, encryptions=encryptions, limits=limits
    )
    cty = outer.header.get("cty")
    if not (isinstance(cty, str) and media_type(cty) == "jwt"):
        raise InvalidHeaderError(
            f"the outer JWE of a nested JWT must say cty 'JWT', but its cty is {cty!r}; "
            "for a JWE that carries the claims themselves, use jwt.decode_encrypted()"
        )
    try:
        inner = outer.plaintext.decode("ascii")
    except UnicodeDecodeError:
        raise MalformedError("the content of a nested JWT must be a compact JWS") from None
    if inner.count(".") != 2:
        raise MalformedError(
            "the content of a nested JWT must be a signed JWT (a compact JWS); josekit "
            "nests in one order only: sign, then encrypt (RFC 7519 §11.2)"
        )
    return outer, inner


def decode_nested(
    token: str | bytes,
    decryption_key: DecryptionKeySource,
    verification_key: KeySource,
    *,
    algorithms: Iterable[str],
    encryptions: Iterable[str] | None = None,
    signing_algorithms: Iterable[str],
    issuer: StringOrList | None = None,
    audience: StringOrList | None = None,
    subject: str | None = None,
    leeway: Duration = 0,
    required: Iterable[str] = (),
    typ: str | None = None,
    max_age: Duration | None = None,
    now: Instant | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> NestedToken:
    """Decrypt a nested JWT, verify the signed JWT inside it, and validate its claims.

    The outer JWE must say ``cty: JWT`` (case-insensitive, ``application/`` optional) and
    its plaintext must be a signed JWT (a compact JWS); the claims come from that JWS once
    its signature verified.

    Args:
        decryption_key: the recipient's key, key set or resolver for the outer JWE.
        verification_key: the issuer's key, key set or resolver for the inner JWS.
        algorithms: the key management ``alg`` values accepted for the outer JWE.
        encryptions: the ``enc`` values accepted for the outer JWE; ``None`` accepts all.
        signing_algorithms: the JWS ``alg`` values accepted for the inner JWT.

    The claim options and ``limits`` are those of :func:`decode`; ``typ`` is compared with
    the inner JWS header's ``typ``, the header that describes the claims.

    Returns:
        A :class:`NestedToken`: ``header`` and ``key`` are those of the inner JWS,
        ``encryption_header`` and ``decryption_key`` those of the outer JWE.
    """
    checks = claim_checks(
        issuer=issuer,
        audience=audience,
        subject=subject,
        leeway=leeway,
        required=required,
        typ=typ,
        max_age=max_age,
        now=now,
    )
    allowed = SIGNATURE_ALGORITHMS.allowed(signing_algorithms, "signing_algorithms")
    text = nested_text(token, limits)
    outer, inner = open_nested(text, decryption_key, algorithms, encryptions, limits)
    signed = decode_with(inner, verification_key, allowed, checks, limits)
    return NestedToken(signed.claims, signed.header, signed.key, outer.header, outer.key)

"""Signed JWTs (a JWS Compact Serialization whose payload is the claims) and unsecured JWTs."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any, Union

from .._json import loads_object
from ..algorithms.signing import SIGNATURE_ALGORITHMS
from ..errors import (
    InvalidHeaderError,
    LimitExceededError,
    MalformedError,
)
from ..jwk import Key, KeyResolver
from ..jws import decode_unsecured as _jws_decode_unsecured
from ..jws import encode_unsecured as _jws_encode_unsecured
from ..jws import sign as _jws_sign
from ..jws._common import VerifiedJWS
from ..jws._compact import verify_text as _verify_compact
from ..policy import DEFAULT_LIMITS, Limits
from ..replay import ReplayCache
from ._claims import (
    ClaimChecks,
    Duration,
    Instant,
    StringOrList,
    claim_checks,
    claims_bytes,
    media_type,
    validate,
)
from ._replay import check_replay
from ._token import Token, UnsecuredToken

__all__ = [
    "decode",
    "decode_unsecured",
    "decode_with",
    "encode",
    "encode_unsecured",
    "jwt_header",
    "parse_claims",
    "signed_text",
    "text_token",
    "verify_compact",
]

KeySource = Union[Key, KeyResolver]
_NO_EXTENSIONS: frozenset[str] = frozenset()

_ALG_NONE_REFUSED = (
    "alg 'none' (an unsecured JWT) is never accepted by jwt.decode(); "
    "use jwt.decode_unsecured() if you really mean to read an unsecured JWT"
)
_B64_REFUSED = "a JWT never uses 'b64' (RFC 7797 unencoded payloads); this token is not a JWT"


def jwt_header(header: Mapping[str, Any] | None, what: str) -> dict[str, Any]:
    """The header of a new JWT: ``typ`` "JWT" unless given; never ``b64``; ``cty`` not "JWT"."""
    out: dict[str, Any] = {"typ": "JWT"}
    if header:
        if not isinstance(header, Mapping):
            raise InvalidHeaderError(f"header must be a mapping, not {type(header).__name__}")
        out.update(header)
    if "b64" in out:
        raise InvalidHeaderError(
            "a JWT never uses 'b64' (RFC 7797): its claims are always base64url-encoded"
        )
    cty = out.get("cty")
    if isinstance(cty, str) and media_type(cty) == "jwt":
        raise InvalidHeaderError(
            f"cty 'JWT' marks a nested JWT, but {what} carries a claims set; "
            "use jwt.encode_nested() to sign and then encrypt"
        )
    return out


def text_token(token: object, limits: Limits) -> str:
    """A compact token as ASCII text within the size limit."""
    if isinstance(token, (bytes, bytearray, memoryview)):
        try:
            token = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            raise MalformedError("a compact JWT must be ASCII text") from None
    if not isinstance(token, str):
        raise MalformedError(f"token must be a str, not {type(token).__name__}")
    if len(token) > limits.max_token_size:
        raise LimitExceededError(f"the token is larger than the limit of {limits.max_token_size}")
    if not token.isascii():
        raise MalformedError("a compact JWT must be ASCII text")
    return token


def _not_signed(token: str) -> MalformedError:
    dots = token.count(".")
    if dots == 4:
        return MalformedError(
            "this token has five parts: it is a JWE (an encrypted JWT), not a signed JWT; "
            "use jwt.decode_encrypted() for an encrypted JWT, or jwt.decode_nested() for one "
            "signed and then encrypted"
        )
    if token.lstrip().startswith("{"):
        return MalformedError("a JWT uses the compact serialization, never the JSON one")
    return MalformedError("a signed JWT has exactly three parts separated by '.'")


def signed_text(token: object, limits: Limits) -> str:
    """A compact JWS as ASCII text within the size limit (three parts), else the error."""
    text = text_token(token, limits)
    if text.count(".") != 2:
        raise _not_signed(text)
    return text


def _unencoded_refused() -> InvalidHeaderError:
    return InvalidHeaderError(_B64_REFUSED)


def parse_claims(payload: bytes, header: Mapping[str, Any], limits: Limits) -> dict[str, Any]:
    """The claims set of a verified or decrypted payload: one strict JSON object."""
    cty = header.get("cty")
    if isinstance(cty, str) and media_type(cty) == "jwt":
        raise MalformedError(
            "the header says cty 'JWT': the payload is a nested JWT, not a claims set; "
            "josekit decodes nested JWTs (signed, then encrypted) with jwt.decode_nested()"
        )
    return loads_object(payload, "the JWT claims set", limits.max_json_depth)


def verify_compact(
    token: str, source: KeySource, allowed: Collection[str], limits: Limits
) -> VerifiedJWS:
    """Verify a compact JWS that carries a JWT: its header, payload bytes and verifying key.

    ``token`` is ASCII text within the size limit, as from :func:`text_token`. This is the
    one compact path of :func:`josekit.jws.verify`, without what a JWT never uses (detached
    and unencoded payloads, extensions in ``crit``) and with the JWT's own messages.
    """
    return _verify_compact(
        token,
        source,
        allowed,
        _NO_EXTENSIONS,
        limits,
        None,
        _not_signed,
        _ALG_NONE_REFUSED,
        _B64_REFUSED,
    )


def encode(
    claims: Mapping[str, Any],
    key: Key,
    alg: str,
    *,
    header: Mapping[str, Any] | None = None,
) -> str:
    """Sign a claims set and return the JWT (a JWS Compact Serialization).

    Args:
        claims: the claims; ``exp``/``nbf``/``iat`` may be aware :class:`datetime` values
            (converted to integer NumericDates); registered claims must have their RFC 7519
            types; everything must be JSON-serialisable.
        key: the private (or ``oct``) signing key.
        alg: the JWS algorithm, e.g. ``"ES256"``.
        header: extra protected header parameters. ``typ`` is ``"JWT"`` unless given
            (``"at+jwt"`` for an RFC 9068 access token); the key's ``kid`` is added.

    Raises:
        JoseError: a subclass saying what was wrong (e.g. :class:`InvalidClaimError` naming a
            claim that cannot be encoded).
    """
    payload = claims_bytes(claims)
    return _jws_sign(payload, key, alg, header=jwt_header(header, "jwt.encode()"))


def decode(
    token: str | bytes,
    key_or_keyset: KeySource,
    *,
    algorithms: Iterable[str],
    issuer: StringOrList | None = None,
    audience: StringOrList | None = None,
    subject: str | None = None,
    leeway: Duration = 0,
    required: Iterable[str] = (),
    typ: str | None = None,
    max_age: Duration | None = None,
    now: Instant | None = None,
    limits: Limits = DEFAULT_LIMITS,
    replay: ReplayCache | None = None,
) -> Token:
    """Verify a signed JWT and validate its claims.

    The signature is checked first; claims are read only from the verified payload and
    validated only after it verified, so a bad signature is never reported as a claim error.

    Args:
        token: the compact JWS. A JWE is refused: use :func:`decode_encrypted` or
            :func:`decode_nested`. An unsecured JWT (``alg: none``) is refused: use
            :func:`decode_unsecured`.
        key_or_keyset: a :class:`~josekit.Key`, a :class:`~josekit.KeySet` or another key
            resolver. Keys named in the header (``jwk``, ``jku``, ``x5u``, ``x5c``) are
            never used.
        algorithms: the JWS ``alg`` values accepted; required and non-empty.
        issuer: the expected ``iss`` (exact match), or a collection of accepted ones.
        audience: this recipient's identifier, or several; the token's ``aud`` (a string or
            a list) must contain one. When ``None``, a token that has ``aud`` is refused
            (RFC 7519 §4.1.3).
        subject: the expected ``sub`` (exact match).
        leeway: clock skew tolerated on ``exp``, ``nbf``, ``iat`` and ``max_age``, in seconds
            or as a :class:`timedelta`.
        required: names of claims that must be present.
        typ: the expected header ``typ`` (e.g. ``"at+jwt"``), compared case-insensitively
            with the ``application/`` prefix optional.
        max_age: refuse tokens issued (``iat``) longer ago than this; ``iat`` becomes required.
        now: the current time (seconds or an aware datetime); defaults to :func:`time.time`.
        limits: size limits for this call.
        replay: a :class:`~josekit.replay.ReplayCache`: a token is accepted once. Its
            ``jti`` (with ``iss``) is recorded until ``exp`` plus leeway, after every other
            check passed, and a token seen before is refused; ``jti`` and ``exp`` become
            required.

    Returns:
        A :class:`Token` with the claims, the header and the key that verified it.

    Raises:
        ExpiredTokenError, NotYetValidError, MissingClaimError, InvalidClaimError: a claim
            failed validation (``.claim`` names it).
        JoseError: another subclass for a malformed token, a disallowed algorithm, a key that
            does not fit or a signature that does not verify.
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
    allowed = SIGNATURE_ALGORITHMS.allowed(algorithms)
    verified = verify_compact(text_token(token, limits), key_or_keyset, allowed, limits)
    header = verified.header
    claims = parse_claims(verified.payload, header, limits)
    validate(claims, header, checks)
    if replay is not None:
        check_replay(claims, replay, checks.leeway)
    return Token(claims, header, verified.key)


def decode_with(
    token: str, source: KeySource, allowed: Collection[str], checks: ClaimChecks, limits: Limits
) -> Token:
    """:func:`decode` with options already checked (used by the nested and profile paths)."""
    verified = verify_compact(token, source, allowed, limits)
    header = verified.header
    claims = parse_claims(verified.payload, header, limits)
    validate(claims, header, checks)
    return Token(claims, header, verified.key)


# -- unsecured JWTs (RFC 7519 §6) ------------------------------------------------------------


def encode_unsecured(claims: Mapping[str, Any], *, header: Mapping[str, Any] | None = None) -> str:
    """Create an unsecured JWT (``alg: none``, RFC 7519 §6). Nobody can trust its claims.

    Only for tokens whose integrity is ensured by other means; read them back with
    :func:`decode_unsecured`, never with :func:`decode`.
    """
    payload = claims_bytes(claims)
    return _jws_encode_unsecured(payload, header=jwt_header(header, "jwt.encode_unsecured()"))


def decode_unsecured(
    token: str | bytes,
    *,
    issuer: StringOrList | None = None,
    audience: StringOrList | None = None,
    subject: str | None = None,
    leeway: Duration = 0,
    required: Iterable[str] = (),
    typ: str | None = None,
    max_age: Duration | None = None,
    now: Instant | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> UnsecuredToken:
    """Read an unsecured JWT (``alg: none``, empty signature) and validate its claims.

    Nothing is verified: anyone can have written these claims. The claim options are those
    of :func:`decode`; the returned :class:`UnsecuredToken` has ``key=None``.
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
    text = text_token(token, limits)
    if text.count(".") != 2:
        raise _not_signed(text)
    result = _jws_decode_unsecured(text, limits=limits)
    header = result.header
    if "b64" in header:
        raise _unencoded_refused()
    if len(result.payload) > limits.max_payload_size:
        raise LimitExceededError(
            f"the payload is larger than the limit of {limits.max_payload_size}"
        )
    claims = parse_claims(result.payload, header, limits)
    validate(claims, header, checks)
    return UnsecuredToken(claims, header)

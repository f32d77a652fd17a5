"""DPoP proofs (RFC 9449 §4): creating one, and every check of §4.3 on one received."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Union

from .._b64 import b64d, b64e_str
from .._json import dumps_bytes, loads_object
from .._redact import redacted
from .._text import duration_text, instant_text
from ..algorithms.signing import SIGNATURE_ALGORITHMS
from ..errors import (
    AlgorithmNotAllowedError,
    DPoPError,
    DPoPNonceError,
    InvalidKeyError,
    InvalidSignatureError,
    JoseError,
)
from ..jwk import Key
from ..jwk._public import import_public
from ..jws import sign, verify
from ..jwt._claims import Duration, Instant, instant, seconds
from ..replay import AsyncReplayCache, ReplayCache, seen_async
from ._htu import normalize_url
from ._nonce import NonceIssuer

__all__ = [
    "DPOP_TYP",
    "MAX_JTI_LENGTH",
    "MAX_PROOF_SIZE",
    "DPoPProof",
    "access_token_hash",
    "create_proof",
    "proof_alg",
    "proof_algorithms",
    "verify_proof",
    "verify_proof_async",
]

DPOP_TYP = "dpop+jwt"
"""The ``typ`` of every DPoP proof (RFC 9449 §4.2)."""
MAX_PROOF_SIZE = 8192
"""The largest proof accepted, in characters (checked before anything is parsed)."""
MAX_JTI_LENGTH = 128
"""The longest ``jti`` accepted (it is kept in the replay cache until the proof expires)."""

ExpectedNonce = Union[str, NonceIssuer, None]
"""What :func:`verify_proof` demands of the proof's ``nonce``: nothing, a value, or an issuer's."""

# The members of a public JWK that a proof's header carries (panva/dpop keeps the same list).
_PUBLIC_MEMBERS = ("kty", "crv", "x", "y", "n", "e", "pub")
# The algorithm a key without ``alg`` signs proofs with, when its curve leaves no choice.
_ALG_FOR_CURVE = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512", "Ed25519": "Ed25519"}


@dataclass(frozen=True, slots=True, repr=False)
class DPoPProof:
    """A DPoP proof that passed every check of RFC 9449 §4.3."""

    key: Key
    """The public key from the proof's header, which verified its signature."""
    jkt: str
    """The key's RFC 7638 SHA-256 thumbprint: a bound token's ``cnf.jkt`` must equal it."""
    claims: dict[str, Any]
    """The proof's claims (``jti``, ``htm``, ``htu``, ``iat``, and ``ath``/``nonce`` if sent)."""
    header: dict[str, Any]
    """The proof's protected header (``typ``, ``alg``, ``jwk``)."""

    def __repr__(self) -> str:
        return redacted(self, ("header", "key", "jkt", "claims"))

    __str__ = __repr__


def access_token_hash(access_token: str) -> str:
    """The ``ath`` of an access token: base64url of the SHA-256 of its ASCII text (§4.2)."""
    if type(access_token) is not str or not access_token or not access_token.isascii():
        raise JoseError("access_token must be a non-empty ASCII string")
    return b64e_str(hashlib.sha256(access_token.encode("ascii")).digest())


def proof_alg(key: Key, alg: str | None) -> str:
    """The algorithm ``key`` signs proofs with; refuses a key that cannot sign them."""
    if not isinstance(key, Key) or key.is_symmetric or not key.is_private:
        raise InvalidKeyError("a DPoP proof is signed with the client's private asymmetric key")
    chosen = alg or key.alg or _ALG_FOR_CURVE.get(key.crv or "")
    if chosen is None:
        raise JoseError(
            f"the key has no 'alg' and its type {key.kty} allows several: pass alg= "
            "(e.g. alg='PS256' for an RSA key)"
        )
    desc = SIGNATURE_ALGORITHMS.lookup(chosen)
    if desc.kty == "oct":
        raise AlgorithmNotAllowedError(
            f"DPoP proofs are signed with asymmetric algorithms only, not {chosen}"
        )
    return chosen


def create_proof(
    key: Key,
    method: str,
    url: str,
    *,
    alg: str | None = None,
    access_token: str | None = None,
    nonce: str | None = None,
    iat: Instant | None = None,
    jti: str | None = None,
) -> str:
    """Create a DPoP proof (RFC 9449 §4.2) for one HTTP request.

    >>> from josekit import dpop, jwk
    >>> key = jwk.generate("EC", crv="P-256")
    >>> proof = dpop.create_proof(key, "GET", "https://api.example/items?page=2")
    >>> dpop.verify_proof(proof, method="GET", url="https://api.example/items",
    ...                   algorithms=["ES256"]).jkt == key.thumbprint()
    True

    Args:
        key: the client's private asymmetric key.
        method: the request's HTTP method, e.g. ``"POST"`` (the ``htm`` claim).
        url: the request's URL; ``htu`` is it without query and fragment.
        alg: the signing algorithm; defaults to the key's ``alg``, or to the only one its
            curve allows (``ES256`` for P-256, ``Ed25519``...). Asymmetric algorithms only.
        access_token: the token sent with the proof; its hash becomes ``ath``.
        nonce: the server's latest ``DPoP-Nonce``.
        iat: the issue time; defaults to now.
        jti: the proof's unique identifier; defaults to 128 random bits.

    Returns:
        The compact JWS with ``typ: dpop+jwt`` and the key's public members as ``jwk``.
    """
    chosen = proof_alg(key, alg)
    if type(method) is not str or not method:
        raise JoseError("method must be the request's HTTP method, e.g. 'GET'")
    try:
        htu = normalize_url(url)
    except ValueError as exc:
        raise JoseError(f"url is not usable as a DPoP htu: {exc}") from None
    public = key.public().to_dict()
    jwk = {name: public[name] for name in _PUBLIC_MEMBERS if name in public}
    if key.kty == "AKP":
        jwk["alg"] = public["alg"]
    claims: dict[str, Any] = {
        "jti": jti if jti is not None else secrets.token_urlsafe(16),
        "htm": method,
        "htu": htu,
        "iat": int(instant(iat) if iat is not None else time.time()),
    }
    if type(claims["jti"]) is not str or not 0 < len(claims["jti"]) <= MAX_JTI_LENGTH:
        raise JoseError(f"jti must be a non-empty string of at most {MAX_JTI_LENGTH} characters")
    if access_token is not None:
        claims["ath"] = access_token_hash(access_token)
    if nonce is not None:
        if type(nonce) is not str or not nonce:
            raise JoseError("nonce must be the server's DPoP-Nonce value (a non-empty string)")
        claims["nonce"] = nonce
    header = {"typ": DPOP_TYP, "jwk": jwk}
    return sign(dumps_bytes(claims), key, chosen, header=header)


# -- verification ----------------------------------------------------------------------------


def _fail(check: str, message: str) -> DPoPError:
    return DPoPError(f"DPoP proof refused ({check}): {message}", check)


def proof_algorithms(algorithms: Iterable[str]) -> Collection[str]:
    """A caller's proof algorithms: a non-empty list of implemented, asymmetric names."""
    allowed = SIGNATURE_ALGORITHMS.allowed(algorithms)
    for name in allowed:
        if SIGNATURE_ALGORITHMS.table[name].kty == "oct":
            raise AlgorithmNotAllowedError(
                f"algorithms lists {name}, but DPoP proofs use asymmetric algorithms only "
                "(e.g. algorithms=['ES256', 'EdDSA', 'PS256'])"
            )
    return allowed


def _header(proof: object) -> tuple[str, str, dict[str, Any]]:
    """Steps 1-2 of §4.3: one compact JWT within the size limit; its parsed header."""
    if isinstance(proof, bytes):
        try:
            proof = proof.decode("ascii")
        except UnicodeDecodeError:
            raise _fail("proof", "the proof is not ASCII text") from None
    if type(proof) is not str or not proof:
        raise _fail("proof", "the DPoP header must hold one compact JWT")
    if len(proof) > MAX_PROOF_SIZE:
        raise _fail("proof", f"the proof is larger than {MAX_PROOF_SIZE} characters")
    parts = proof.split(".")
    if len(parts) != 3 or not proof.isascii():
        raise _fail("proof", "the proof is not one compact JWT (three base64url parts)")
    try:
        header = loads_object(b64d(parts[0], "the proof header"), "the proof header")
    except JoseError as exc:
        raise _fail("proof", str(exc)) from None
    return proof, parts[0], header


# A client signs every proof with one key, so its proofs share one header: importing (and
# validating) the header key once per header, not per proof, takes about a third off an ES256
# proof verification (thread CPU time, 16 proofs of one key: 160 -> 105 us; bench_dpop.py).
# Keys are immutable; failures are not cached; attacker-chosen headers only evict entries.
@lru_cache(maxsize=256)
def _header_jwk(h64: str) -> Key:
    """The key in a proof header (its base64url text) whose other members passed the checks."""
    header = loads_object(b64d(h64, "the proof header"), "the proof header")
    return import_public(header["jwk"], "the header 'jwk'")


def _header_key(h64: str, header: Mapping[str, Any], allowed: Collection[str]) -> tuple[str, Key]:
    """Steps 4-7: ``typ``, an allowed asymmetric ``alg``, a public ``jwk`` that fits it."""
    if header.get("typ") != DPOP_TYP:
        raise _fail("typ", f"typ must be {DPOP_TYP!r}, found {header.get('typ')!r:.40}")
    alg = header.get("alg")
    if type(alg) is not str or alg not in allowed:
        raise _fail("alg", f"alg {alg!r:.40} is not one of the allowed {sorted(allowed)}")
    jwk = header.get("jwk")
    if not isinstance(jwk, Mapping):
        raise _fail("jwk", "the header has no 'jwk' object with the client's public key")
    try:
        # Refused as private or secret before it is imported: the proof is unauthenticated.
        key = _header_jwk(h64)
    except JoseError as exc:
        raise _fail("jwk", f"the header 'jwk' is not a valid key: {exc}") from None
    if key.is_symmetric or key.is_private:
        raise _fail("jwk", "the header 'jwk' must be a public asymmetric key, never a private one")
    try:
        SIGNATURE_ALGORITHMS.table[alg].check_key(key, "verify")
    except JoseError as exc:
        raise _fail("jwk", str(exc)) from None
    return alg, key


def _signed_claims(proof: str, alg: str, key: Key) -> dict[str, Any]:
    """Step 6: the signature verifies with the header key; the claims are one JSON object."""
    try:
        payload = verify(proof, key, algorithms=[alg]).payload
    except InvalidSignatureError:
        raise _fail("signature", "the signature does not verify with the header 'jwk'") from None
    except JoseError as exc:
        raise _fail("proof", str(exc)) from None
    try:
        return loads_object(payload, "the proof claims")
    except JoseError as exc:
        raise _fail("proof", str(exc)) from None


def _check_claims(
    claims: Mapping[str, Any],
    method: str,
    htu: str,
    access_token: str | None,
    window: tuple[float, float, float],
) -> tuple[str, str, int]:
    """Steps 8, 9, 11, 12 and ``jti``: the normalised ``htu``, the ``jti`` and the ``iat``."""
    htm = claims.get("htm")
    if htm != method:
        raise _fail("htm", f"htm {htm!r:.40} is not the request method {method!r}")
    found = claims.get("htu")
    try:
        proof_htu = normalize_url(found) if type(found) is str else None
    except ValueError:
        proof_htu = None
    if proof_htu != htu:
        raise _fail("htu", f"htu {found!r:.80} is not the request URL {htu!r}")
    iat = claims.get("iat")
    now, max_age, leeway = window
    if type(iat) is not int:
        raise _fail("iat", "iat must be an integer NumericDate")
    if iat > now + leeway:
        raise _fail(
            "iat",
            f"iat {instant_text(iat)} is in the future (it is now {instant_text(now)}, "
            f"leeway {duration_text(leeway)})",
        )
    if iat < now - max_age - leeway:
        raise _fail(
            "iat",
            f"iat {instant_text(iat)} is older than max_age {duration_text(max_age)} (it is now "
            f"{instant_text(now)})",
        )
    jti = claims.get("jti")
    if type(jti) is not str or not 0 < len(jti) <= MAX_JTI_LENGTH:
        raise _fail("jti", f"jti must be a non-empty string of at most {MAX_JTI_LENGTH} characters")
    if access_token is not None:
        ath = claims.get("ath")
        expected = access_token_hash(access_token)
        if type(ath) is not str or not hmac.compare_digest(ath.encode(), expected.encode()):
            raise _fail("ath", "ath is not the SHA-256 hash of the access token sent with it")
    return proof_htu, jti, iat


def _check_nonce(claims: Mapping[str, Any], nonce: ExpectedNonce, now: float) -> None:
    """Step 10: the server's nonce, when it demands one (RFC 9449 §8, §9)."""
    if nonce is None:
        return
    found = claims.get("nonce")
    if type(found) is not str or not found:
        raise DPoPNonceError("DPoP proof refused (nonce): the server requires a nonce")
    if isinstance(nonce, NonceIssuer):
        nonce.check(found, now=now)
    elif not hmac.compare_digest(found.encode(), nonce.encode()):
        raise DPoPNonceError("DPoP proof refused (nonce): not the server's current nonce")


def _checked(
    proof: str | bytes,
    method: str,
    url: str,
    algorithms: Iterable[str],
    access_token: str | None,
    nonce: ExpectedNonce,
    max_age: Duration,
    leeway: Duration,
    now: Instant | None,
) -> tuple[DPoPProof, str, float]:
    """Every check but replay: the proof, its replay-cache id and when that id expires."""
    allowed = proof_algorithms(algorithms)
    if type(method) is not str or not method:
        raise JoseError("method must be the request's HTTP method, e.g. 'GET'")
    if nonce is not None and not isinstance(nonce, (str, NonceIssuer)):
        raise JoseError("nonce must be the expected nonce string, a NonceIssuer, or None")
    try:
        htu = normalize_url(url)
    except ValueError as exc:
        raise JoseError(f"url is not the absolute http(s) URL of the request: {exc}") from None
    current = instant(now) if now is not None else time.time()
    window = (current, seconds(max_age, "max_age"), seconds(leeway, "leeway"))
    text, h64, header = _header(proof)
    alg, key = _header_key(h64, header, allowed)
    claims = _signed_claims(text, alg, key)
    proof_htu, jti, iat = _check_claims(claims, method, htu, access_token, window)
    _check_nonce(claims, nonce, current)
    jkt = key.thumbprint("SHA-256")
    # The replay id covers the compared values and the key, so one client's jti never
    # blocks another's, and stays short whatever the jti.
    scope = "\x00".join((jkt, method, proof_htu, jti)).encode()
    replay_id = "dpop:" + b64e_str(hashlib.sha256(scope).digest())
    return DPoPProof(key, jkt, claims, header), replay_id, iat + window[1] + window[2]


def _replayed() -> DPoPError:
    return _fail("jti", "this proof was already used (its jti has been seen before)")


def verify_proof(
    proof: str | bytes,
    *,
    method: str,
    url: str,
    algorithms: Iterable[str],
    access_token: str | None = None,
    nonce: ExpectedNonce = None,
    max_age: Duration = 300,
    leeway: Duration = 5,
    replay: ReplayCache | None = None,
    now: Instant | None = None,
) -> DPoPProof:
    """Apply every check of RFC 9449 §4.3 to a DPoP proof; return it when all pass.

    Args:
        proof: the value of the request's (single) ``DPoP`` header.
        method: the request's HTTP method; ``htm`` must equal it exactly.
        url: the request's URL as this server is reached (its configured public base URL and
            the route, never the ``Host`` header alone); ``htu`` must equal it after
            normalisation, query and fragment ignored.
        algorithms: the asymmetric JWS algorithms accepted, e.g. ``["ES256", "EdDSA"]``.
        access_token: the token presented with the proof; ``ath`` must be its hash.
        nonce: ``None`` when the server demands no nonce; the expected value; or a
            :class:`NonceIssuer`, which must accept the proof's nonce.
        max_age: how old ``iat`` may be, in seconds.
        leeway: clock skew tolerated on ``iat``, in seconds.
        replay: a :class:`~josekit.replay.ReplayCache`; the proof is recorded (after every
            other check passed) until ``iat + max_age + leeway`` and refused if seen before.
            Without one, replays within the window are not detected.
        now: the current time; defaults to :func:`time.time`.

    Raises:
        DPoPError: a check failed; ``.check`` names it. :class:`DPoPNonceError` (a
            subclass) when the nonce is missing, stale or wrong: answer ``use_dpop_nonce``.
        ReplayCacheError: the replay cache could not be reached.
        JoseError: an argument is wrong (e.g. a symmetric algorithm in ``algorithms``).
    """
    result, replay_id, expires_at = _checked(
        proof, method, url, algorithms, access_token, nonce, max_age, leeway, now
    )
    if replay is not None and replay.seen(replay_id, expires_at):
        raise _replayed()
    return result


async def verify_proof_async(
    proof: str | bytes,
    *,
    method: str,
    url: str,
    algorithms: Iterable[str],
    access_token: str | None = None,
    nonce: ExpectedNonce = None,
    max_age: Duration = 300,
    leeway: Duration = 5,
    replay: ReplayCache | AsyncReplayCache | None = None,
    now: Instant | None = None,
) -> DPoPProof:
    """:func:`verify_proof` for event loops.

    ``replay`` may be an :class:`~josekit.replay.AsyncReplayCache` (awaited) or a sync
    :class:`~josekit.replay.ReplayCache` (a memory cache is called, any other runs in a
    worker thread), so the event loop never blocks on the cache.
    """
    result, replay_id, expires_at = _checked(
        proof, method, url, algorithms, access_token, nonce, max_age, leeway, now
    )
    if replay is not None and await seen_async(replay, replay_id, expires_at):
        raise _replayed()
    return result

"""The verifier's side: RFC 9901 §7.1 (the SD-JWT) and §7.3 (key binding), steps in order."""

from __future__ import annotations

import hmac
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from math import isfinite
from typing import Any, Union

from cryptography.hazmat.primitives import hashes

from .._b64 import b64e_str
from .._json import loads_object
from .._redact import redacted
from .._text import duration_text, instant_text
from ..errors import JoseError, SDJWTError
from ..jwk import Key, KeyResolver
from ..jwk._public import import_public
from ..jws import verify as jws_verify
from ..jws import verify_json as jws_verify_json
from ..jwt._claims import Duration, Instant, StringOrList, claim_checks, media_type
from ..jwt._claims import seconds as duration_seconds
from ..jwt._claims import validate as validate_claims
from ..policy import DEFAULT_LIMITS, Limits
from ..replay import ReplayCache
from ._disclosure import Disclosure, check_sd_algorithms, decode_disclosure, digest
from ._format import Parts, split
from ._present import KB_TYP
from ._process import process, sd_alg_of
from ._vc import VctOption, check_verified, is_vc

__all__ = ["VerifiedSDJWT", "verify"]

KeySource = Union[Key, KeyResolver]


@dataclass(frozen=True, slots=True, repr=False)
class VerifiedSDJWT:
    """A verified SD-JWT (or SD-JWT+KB).

    Attributes:
        claims: the processed claims: only what was disclosed, with ``_sd``, ``_sd_alg`` and
            array placeholders removed.
        header: the issuer-signed JWT's header.
        key: the issuer key that verified it.
        disclosures: the disclosures presented, each with the path where it applied.
        holder_key: the ``cnf.jwk`` key that signed the Key Binding JWT (``None`` without
            key binding).
        kb_claims: the Key Binding JWT's claims (``None`` without key binding).
    """

    claims: dict[str, Any]
    header: dict[str, Any]
    key: Key | None
    disclosures: tuple[Disclosure, ...]
    holder_key: Key | None
    kb_claims: dict[str, Any] | None

    def __repr__(self) -> str:
        # Disclosed claims are personal data: their names only, never their values.
        return redacted(self, ("header", "key", "claims", "disclosures", "holder_key"))

    __str__ = __repr__


def _refused(what: str, exc: JoseError) -> SDJWTError:
    error = SDJWTError(f"{what}: {exc}")
    error.__cause__ = exc
    return error


def _check_typ(header: Mapping[str, Any], typ: str) -> None:
    found = header.get("typ")
    if type(found) is not str or media_type(found) != media_type(typ):
        raise SDJWTError(f"the issuer-signed JWT has typ {found!r}, expected {typ!r}")


def _issuer_jwt(
    parts: Parts, keys: KeySource, algorithms: Iterable[str], limits: Limits
) -> tuple[dict[str, Any], dict[str, Any], Key | None]:
    """Step 2 of §7.1: the signature, with the caller's keys and algorithms only."""
    try:
        if isinstance(parts.issuer_jwt, str):
            verified = jws_verify(parts.issuer_jwt, keys, algorithms=algorithms, limits=limits)
        else:
            verified = jws_verify_json(parts.issuer_jwt, keys, algorithms=algorithms, limits=limits)
            if "alg" not in verified.protected_header:
                # RFC 7515 allows an unprotected alg; a JWT's must be protected.
                raise SDJWTError(
                    "the issuer-signed JWT has its 'alg' in an unprotected header: a JWT in the "
                    "JSON serialization must protect its 'alg'"
                )
        payload = loads_object(verified.payload, "the SD-JWT payload", limits.max_json_depth)
    except JoseError as exc:
        raise _refused("the issuer-signed JWT was refused", exc) from None
    return verified.header, payload, verified.key


def _pinned_issuer(keys: KeySource, payload: Mapping[str, Any]) -> None:
    """Keys resolved for one issuer (``IssuerMetadataKeys``) verify only that issuer's JWTs."""
    bound = getattr(keys, "issuer", None)
    if isinstance(bound, str) and payload.get("iss") != bound:
        raise SDJWTError(
            f"the SD-JWT names issuer {payload.get('iss')!r}, but its keys are those of "
            f"{bound!r}: it is refused"
        )


def _holder_key(payload: Mapping[str, Any]) -> Key:
    """The key of the signed payload's ``cnf.jwk``: never a disclosure, a header or a URL."""
    cnf = payload.get("cnf")
    jwk = cnf.get("jwk") if type(cnf) is dict else None
    if type(jwk) is not dict:
        raise SDJWTError(
            "key binding is required, but the issuer-signed JWT has no cnf.jwk naming the "
            "holder's key (a cnf inside a disclosure does not count)"
        )
    try:
        key = import_public(jwk, "cnf.jwk")
    except JoseError as exc:
        raise _refused("the cnf.jwk of the SD-JWT is not a usable key", exc) from None
    if key.is_symmetric or key.is_private:
        raise SDJWTError("cnf.jwk must be a public asymmetric key; this one is not")
    return key


def _kb_time(iat: object, now: float, max_age: float, leeway: float) -> None:
    if not (type(iat) is int or (type(iat) is float and isfinite(iat))):
        raise SDJWTError(f"the Key Binding JWT's iat must be a NumericDate, not {iat!r}")
    if iat > now + leeway:
        raise SDJWTError(
            f"the Key Binding JWT's iat {instant_text(iat)} is in the future (it is now "
            f"{instant_text(now)}, leeway {duration_text(leeway)})"
        )
    if iat < now - max_age - leeway:
        raise SDJWTError(
            f"the Key Binding JWT was made at {instant_text(iat)}, more than kb_max_age "
            f"{duration_text(max_age)} before now ({instant_text(now)}): the presentation "
            "is stale"
        )


def _same(found: object, expected: str) -> bool:
    return type(found) is str and hmac.compare_digest(found.encode(), expected.encode())


def _key_binding(
    parts: Parts,
    payload: Mapping[str, Any],
    sd_alg: str,
    algorithms: Iterable[str],
    expected: tuple[str, str],
    max_age: float,
    leeway: float,
    now: float,
    limits: Limits,
) -> tuple[Key, dict[str, Any]]:
    """§7.3: the KB-JWT signed by ``cnf.jwk``, typed, for us, fresh, over this presentation."""
    holder = _holder_key(payload)
    assert parts.kb_jwt is not None  # checked by the caller
    try:
        verified = jws_verify(parts.kb_jwt, holder, algorithms=algorithms, limits=limits)
        kb = loads_object(verified.payload, "the Key Binding JWT claims", limits.max_json_depth)
    except JoseError as exc:
        raise _refused("the Key Binding JWT was refused", exc) from None
    if verified.header.get("typ") != KB_TYP:
        raise SDJWTError(
            f"the Key Binding JWT must have typ {KB_TYP!r}, not {verified.header.get('typ')!r}"
        )
    _kb_time(kb.get("iat"), now, max_age, leeway)
    audience, nonce = expected
    if type(kb.get("aud")) is not str or kb["aud"] != audience:
        raise SDJWTError(f"the Key Binding JWT is for audience {kb.get('aud')!r}, not {audience!r}")
    if not _same(kb.get("nonce"), nonce):
        raise SDJWTError("the Key Binding JWT's nonce is not the one expected")
    if not _same(kb.get("sd_hash"), digest(parts.hash_input, sd_alg)):
        raise SDJWTError(
            "the Key Binding JWT's sd_hash does not match the presentation: disclosures were "
            "added, removed or changed after it was signed"
        )
    return holder, kb


def _consume_nonce(replay: ReplayCache, nonce: str, until: float) -> None:
    """Record the KB-JWT's nonce: a presentation with a nonce seen before is a replay."""
    h = hashes.Hash(hashes.SHA256())
    h.update(nonce.encode("utf-8"))
    if replay.seen("sd-jwt-kb:" + b64e_str(h.finalize()), until):
        raise SDJWTError(
            "the Key Binding JWT's nonce was already used by an accepted presentation: "
            "this one is a replay"
        )


def _kb_options(require: object, kb_audience: object, kb_nonce: object) -> tuple[str, str] | None:
    if type(require) is not bool:
        raise JoseError(
            "require_key_binding must be True or False: say whether a presentation without "
            "key binding (a bearer credential) is acceptable"
        )
    if not require:
        if kb_audience is not None or kb_nonce is not None:
            raise JoseError("kb_audience and kb_nonce need require_key_binding=True")
        return None
    for name, value in (("kb_audience", kb_audience), ("kb_nonce", kb_nonce)):
        if type(value) is not str or not value:
            raise JoseError(f"require_key_binding=True needs {name}= (a non-empty string)")
    return kb_audience, kb_nonce  # type: ignore[return-value]


def verify(
    presentation: str | bytes,
    keys: KeySource,
    *,
    algorithms: Iterable[str],
    require_key_binding: bool,
    issuer: StringOrList | None = None,
    audience: StringOrList | None = None,
    kb_audience: str | None = None,
    kb_nonce: str | None = None,
    kb_algorithms: Iterable[str] | None = None,
    kb_max_age: Duration = 300,
    sd_algorithms: Collection[str] = ("sha-256",),
    typ: str | None = None,
    vct: VctOption = None,
    leeway: Duration = 0,
    now: Instant | None = None,
    required: Iterable[str] = (),
    kb_replay: ReplayCache | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> VerifiedSDJWT:
    """Verify an SD-JWT or SD-JWT+KB and return its processed claims (RFC 9901 §7).

    Args:
        presentation: the SD-JWT (``jwt~d1~...~``) or SD-JWT+KB (``jwt~d1~...~kb``), or
            its JWS JSON serialization.
        keys: the issuer's key, key set or resolver; never a key named by the token.
        algorithms: the issuer JWT's accepted ``alg`` values.
        require_key_binding: ``True``: a Key Binding JWT is required (and ``kb_audience``,
            ``kb_nonce`` too); ``False``: the presentation must not carry one. No default: a
            presentation without key binding is a bearer credential.
        issuer: the expected ``iss`` (one or several).
        audience: the expected ``aud`` of the SD-JWT itself, if it has one.
        kb_audience: this verifier's identifier, the KB-JWT's ``aud`` (exact match).
        kb_nonce: the nonce this verifier gave the holder for this presentation.
        kb_algorithms: the KB-JWT's accepted ``alg`` values (default: ``algorithms``).
        kb_max_age: how old the KB-JWT's ``iat`` may be, in seconds.
        sd_algorithms: the accepted ``_sd_alg`` values.
        typ: the expected header ``typ``; ``"dc+sd-jwt"`` applies the SD-JWT VC rules.
        vct: the expected credential type(s) of an SD-JWT VC.
        leeway: clock skew tolerated, in seconds.
        now: the current time (seconds or an aware datetime); defaults to the clock.
        required: claims that must be present after processing (e.g. ``["exp"]``).
        kb_replay: a :class:`~josekit.replay.ReplayCache` recording each accepted KB-JWT's
            nonce (until it could no longer be fresh), so that a nonce is accepted once even
            if the verifier hands it out twice or several replicas check presentations.
        limits: size, count and depth bounds.

    Raises:
        ClaimError: a processed claim failed validation (``exp``, ``nbf``, ``iss``...).
        SDJWTError: anything else about the presentation was wrong.
        ReplayCacheError: ``kb_replay`` could not be reached (the presentation is refused).
        JoseError: an option is invalid.
    """
    expected_kb = _kb_options(require_key_binding, kb_audience, kb_nonce)
    if not isinstance(algorithms, (str, bytes)):
        algorithms = list(algorithms)  # used for the issuer JWT and, by default, the KB-JWT
    checks = claim_checks(
        issuer=issuer,
        audience=audience,
        subject=None,
        leeway=leeway,
        required=required,
        typ=None,
        max_age=None,
        now=now,
    )
    accepted_sd = check_sd_algorithms(sd_algorithms)
    max_age = duration_seconds(kb_max_age, "kb_max_age")
    if kb_replay is not None and expected_kb is None:
        raise JoseError("kb_replay records key-binding nonces: it needs require_key_binding=True")
    if vct is not None and not is_vc(typ):
        raise JoseError("vct= checks an SD-JWT VC: pass typ='dc+sd-jwt' as well")
    # 1. Separate the issuer-signed JWT, the disclosures and the KB-JWT.
    parts = split(presentation, limits)
    if expected_kb is not None and parts.kb_jwt is None:
        raise SDJWTError("key binding is required, but the presentation carries no Key Binding JWT")
    if expected_kb is None and parts.kb_jwt is not None:
        raise SDJWTError(
            "the presentation carries a Key Binding JWT, but require_key_binding=False: "
            "pass require_key_binding=True with kb_audience and kb_nonce to check it"
        )
    # 2. Validate the issuer-signed JWT: signature, type, then the hash algorithm.
    header, payload, key = _issuer_jwt(parts, keys, algorithms, limits)
    if typ is not None:
        _check_typ(header, typ)
    _pinned_issuer(keys, payload)
    sd_alg = sd_alg_of(payload, accepted_sd)
    # 3-5. Process the disclosures: each digest once, each disclosure used, nothing overwritten.
    disclosures = [decode_disclosure(d, sd_alg, limits) for d in parts.disclosures]
    done = process(payload, disclosures, limits)
    # 6. Validate the processed claims as any JWT's, then the profile's rules.
    validate_claims(done.claims, header, checks)
    if is_vc(typ):
        check_verified(payload, done.claims, done.disclosures, vct, expected_kb is not None)
    # §7.3: key binding.
    holder: Key | None = None
    kb_claims: dict[str, Any] | None = None
    if expected_kb is not None:
        when = checks.now if checks.now is not None else time.time()
        holder, kb_claims = _key_binding(
            parts,
            payload,
            sd_alg,
            algorithms if kb_algorithms is None else kb_algorithms,
            expected_kb,
            max_age,
            checks.leeway,
            when,
            limits,
        )
        if kb_replay is not None:
            _consume_nonce(kb_replay, expected_kb[1], when + max_age + 2 * checks.leeway)
    return VerifiedSDJWT(done.claims, header, key, done.disclosures, holder, kb_claims)

"""SD-JWT (RFC 9901): verify a presentation of 10 disclosures with key binding.

josekit's ``sdjwt.verify`` against the reference implementation (the ``sd-jwt`` package,
which verifies with jwcrypto) and the floor: the same work done directly with
pyca/cryptography (signatures and SHA-256 digests), ``base64`` and ``json``: split the
presentation, verify the issuer's ES256 signature, digest each disclosure and find it in
``_sd``, verify the KB-JWT with the ``cnf`` key, check its ``typ``, ``aud``, ``nonce``,
``iat`` and ``sd_hash``. The reference package issues and binds its own presentations for
the cross-checks; the floor has no issuer of its own and reuses josekit's. The KB-JWT's
``iat`` is the time the benchmark is built, checked against the clock (300 s window).
"""

from __future__ import annotations

import functools
import json
import time
from typing import Any

from _harness import FLOOR, JOSEKIT, Benchmark, Codec, Target, consume_case
from bench_jws import b64d, b64e
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from jwcrypto import jwk as jwc_jwk
from sd_jwt.common import SDObj
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.verifier import SDJWTVerifier

from josekit import sdjwt
from josekit.jwk import Key
from josekit.sdjwt import SD

__all__ = ["benchmarks"]

REFERENCE = "sd-jwt"
ISSUER = "https://issuer.example"
AUDIENCE = "https://verifier.example"
NONCE = "bench-nonce-0123456789"
CLAIMS: dict[str, Any] = {"iss": ISSUER, **{f"claim_{i}": f"value {i}" for i in range(10)}}


@functools.cache
def _keys() -> tuple[ec.EllipticCurvePrivateKey, ec.EllipticCurvePrivateKey]:
    return ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())


def _without_cnf(claims: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in claims.items() if k != "cnf"}


def _josekit_codec() -> Codec:
    issuer, holder = (Key.import_key(k) for k in _keys())
    public = issuer.public()

    def produce(claims: dict[str, Any]) -> str:
        marked = {k: (v if k == "iss" else SD(v)) for k, v in claims.items()}
        issued = sdjwt.issue(marked, issuer, "ES256", holder_key=holder)
        chosen = [k for k in claims if k != "iss"]
        return sdjwt.present(
            issued, chosen, holder_key=holder, alg="ES256", audience=AUDIENCE, nonce=NONCE
        )

    def consume(presentation: str) -> dict[str, Any]:
        verified = sdjwt.verify(
            presentation,
            public,
            algorithms=["ES256"],
            require_key_binding=True,
            issuer=ISSUER,
            kb_audience=AUDIENCE,
            kb_nonce=NONCE,
        )
        return _without_cnf(verified.claims)

    return Codec(JOSEKIT, produce, consume)


def _reference_codec() -> Codec:
    issuer_key, holder_key = (
        jwc_jwk.JWK.from_pyca(k)
        for k in _keys()  # the same keys as josekit's
    )

    def produce(claims: dict[str, Any]) -> str:
        marked = {(k if k == "iss" else SDObj(k)): v for k, v in claims.items()}
        issued = SDJWTIssuer(marked, issuer_key, holder_key=holder_key, sign_alg="ES256")
        holder = SDJWTHolder(issued.sd_jwt_issuance)
        holder.create_presentation(
            {k: True for k in claims if k != "iss"}, NONCE, AUDIENCE, holder_key, "ES256"
        )
        return str(holder.sd_jwt_presentation)

    def consume(presentation: str) -> dict[str, Any]:
        verifier = SDJWTVerifier(
            presentation,
            lambda iss, header: issuer_key,
            expected_aud=AUDIENCE,
            expected_nonce=NONCE,
        )
        return _without_cnf(verifier.get_verified_payload())

    return Codec(REFERENCE, produce, consume)


def _ecdsa_verify(key: ec.EllipticCurvePublicKey, signing_input: bytes, s64: str) -> None:
    raw = b64d(s64)
    if len(raw) != 64:
        raise ValueError("signature size")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))


def _sha256_b64(text: str) -> str:
    h = hashes.Hash(hashes.SHA256())
    h.update(text.encode("ascii"))
    return b64e(h.finalize()).decode()


def _floor_codec(produce: Any) -> Codec:
    issuer_public = _keys()[0].public_key()

    def consume(presentation: str) -> dict[str, Any]:
        head, _, kb = presentation.rpartition("~")
        jwt, *disclosures = head.split("~")
        h64, p64, s64 = jwt.split(".")
        if json.loads(b64d(h64)).get("alg") != "ES256":
            raise ValueError("alg")
        _ecdsa_verify(issuer_public, f"{h64}.{p64}".encode(), s64)
        payload = json.loads(b64d(p64))
        digests = set(payload.pop("_sd", ()))
        if payload.pop("_sd_alg", "sha-256") != "sha-256":
            raise ValueError("_sd_alg")
        for disclosure in disclosures:
            if _sha256_b64(disclosure) not in digests:
                raise ValueError("unreferenced disclosure")
            _, name, value = json.loads(b64d(disclosure))
            if name in payload:
                raise ValueError("overwrite")
            payload[name] = value
        k64, c64, t64 = kb.split(".")
        kb_header = json.loads(b64d(k64))
        if kb_header.get("alg") != "ES256" or kb_header.get("typ") != "kb+jwt":
            raise ValueError("kb header")
        holder = Key.import_key(payload["cnf"]["jwk"]).public_crypto_key
        _ecdsa_verify(holder, f"{k64}.{c64}".encode(), t64)
        kb_claims = json.loads(b64d(c64))
        if (
            kb_claims.get("aud") != AUDIENCE
            or kb_claims.get("nonce") != NONCE
            or abs(time.time() - kb_claims.get("iat", 0)) > 300
            or kb_claims.get("sd_hash") != _sha256_b64(head + "~")
        ):
            raise ValueError("kb claims")
        return _without_cnf(payload)

    return Codec(FLOOR, produce, consume)


def _verify_case() -> Any:
    josekit_codec = _josekit_codec()
    return consume_case(
        [josekit_codec, _floor_codec(josekit_codec.produce), _reference_codec()], CLAIMS
    )


def benchmarks() -> list[Benchmark]:
    """The SD-JWT rows."""
    return [
        Benchmark(
            "sdjwt.verify.10-disclosures+kb.ES256",
            _verify_case,
            Target(beat_peers=True),
            "verify an SD-JWT+KB presenting 10 disclosures (issuer and KB-JWT ES256)",
        )
    ]

"""DPoP proof verification (RFC 9449 §4.3), ES256 with the memory replay cache, beside JWT decode.

No other Python JOSE library here verifies DPoP proofs, so the ``dpop.verify`` row compares
josekit with the floor only: the same checks written directly with pyca/cryptography,
``base64``, ``json`` and ``hashlib`` (split, header ``typ``/``alg``/``jwk``, the public key
built from the header, the signature, ``htm``, ``htu`` compared as exact strings, the ``iat``
window, ``jti``, ``ath``, the RFC 7638 thumbprint and a replay record). ``dpop.jwt-decode``
repeats bench_jwt's ES256 decode row (every library) for scale: a DPoP request costs one of
each.

Every timed call verifies a different one of 16 proofs, in turn. A proof can be verified only
once, so both replay caches hold one entry: each call records its proof and evicts the
previous one, the steady state of a full cache (one eviction per insertion).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import time
from collections.abc import Callable
from typing import Any

import bench_jwt
from _harness import FLOOR, JOSEKIT, PEERS, Benchmark, CheckError, Prepared, Target, tamper
from bench_jws import b64d, b64e
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from josekit import dpop, jwk
from josekit.replay import MemoryReplayCache

__all__ = ["benchmarks"]

URL = "https://api.example.com/orders"
METHOD = "POST"
ACCESS_TOKEN = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
MAX_AGE, LEEWAY = 300, 5
POOL = 16


def _josekit(cache_size: int = 1) -> Callable[[str], dict[str, Any]]:
    cache = MemoryReplayCache(max_entries=cache_size)

    def verify(proof: str) -> dict[str, Any]:
        return dpop.verify_proof(
            proof,
            method=METHOD,
            url=URL,
            algorithms=["ES256"],
            access_token=ACCESS_TOKEN,
            replay=cache,
        ).claims

    return verify


def _floor() -> Callable[[str], dict[str, Any]]:
    seen: dict[bytes, float] = {}
    ath = b64e(hashlib.sha256(ACCESS_TOKEN.encode()).digest()).decode()

    def verify(proof: str) -> dict[str, Any]:
        if len(proof) > dpop.MAX_PROOF_SIZE:
            raise ValueError("size")
        h64, p64, s64 = proof.split(".")
        header = json.loads(b64d(h64))
        if header.get("typ") != "dpop+jwt" or header.get("alg") != "ES256":
            raise ValueError("typ/alg")
        key = header["jwk"]
        if key.get("kty") != "EC" or key.get("crv") != "P-256" or "d" in key:
            raise ValueError("jwk")
        x, y = b64d(key["x"]), b64d(key["y"])
        public = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
        ).public_key()
        signature = b64d(s64)
        if len(signature) != 64:
            raise ValueError("signature size")
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        public.verify(der, f"{h64}.{p64}".encode(), ec.ECDSA(hashes.SHA256()))
        claims: dict[str, Any] = json.loads(b64d(p64))
        if claims.get("htm") != METHOD or claims.get("htu") != URL:
            raise ValueError("htm/htu")
        iat, now = claims.get("iat"), time.time()
        if type(iat) is not int or not now - MAX_AGE - LEEWAY <= iat <= now + LEEWAY:
            raise ValueError("iat")
        jti = claims.get("jti")
        if type(jti) is not str or not jti or claims.get("ath") != ath:
            raise ValueError("jti/ath")
        members = {"crv": key["crv"], "kty": "EC", "x": key["x"], "y": key["y"]}
        jkt = b64e(hashlib.sha256(json.dumps(members, separators=(",", ":")).encode()).digest())
        replay_id = hashlib.sha256(b"\0".join((jkt, METHOD.encode(), URL.encode(), jti.encode())))
        digest = replay_id.digest()
        if digest in seen:
            raise ValueError("replay")
        seen.clear()  # one entry, as the josekit cache of this benchmark
        seen[digest] = iat + MAX_AGE + LEEWAY
        return claims

    return verify


def _refused(verify: Callable[[str], Any], proof: str, what: str) -> None:
    try:
        verify(proof)
    except Exception:
        return
    raise CheckError(f"accepted {what}")


def _verify() -> Prepared:
    key = jwk.generate("EC", crv="P-256")
    iat = int(time.time())
    proofs = [
        dpop.create_proof(key, METHOD, URL, access_token=ACCESS_TOKEN, iat=iat) for _ in range(POOL)
    ]
    other_method = dpop.create_proof(key, "GET", URL, access_token=ACCESS_TOKEN, iat=iat)
    timed: dict[str, Callable[[], object]] = {}
    for library, make in ((JOSEKIT, _josekit), (FLOOR, _floor)):
        checking = make()
        for proof in proofs:
            if checking(proof)["jti"] != json.loads(b64d(proof.split(".")[1]))["jti"]:
                raise CheckError(f"{library}: wrong claims")
        _refused(make(), tamper(proofs[0]), f"{library}: a damaged signature")
        _refused(make(), other_method, f"{library}: a proof for another method")
        replaying = make()
        replaying(proofs[0])
        _refused(replaying, proofs[0], f"{library}: a replayed proof")
        verify, next_proof = make(), itertools.cycle(proofs).__next__
        timed[library] = functools.partial(lambda v, n: v(n()), verify, next_proof)
    return Prepared(timed, dict.fromkeys(PEERS, "n/a: no DPoP proof verification"))


def benchmarks() -> list[Benchmark]:
    """DPoP proof verification (ES256, memory replay cache) and ES256 JWT decode for scale."""
    return [
        Benchmark(
            "dpop.verify.ES256",
            _verify,
            Target(),
            "verify an ES256 DPoP proof (RFC 9449 §4.3 checks, ath, replay cache)",
        ),
        Benchmark(
            "dpop.jwt-decode.ES256",
            functools.partial(bench_jwt._decode, "ES256"),
            Target(),
            "verify an ES256 JWT and validate 7 registered claims (as jwt.decode.ES256)",
        ),
    ]

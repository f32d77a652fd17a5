"""Keys and token builders shared by the JWT tests (keys are made once per session)."""

from __future__ import annotations

import functools
import json
from typing import Any

from josekit import jwk, jws
from josekit.jwk import Key

NOW = 1_700_000_000
"""The fixed 'current time' of the claim tests."""


@functools.cache
def hmac_key(kid: str | None = "h1") -> Key:
    """A 256-bit HMAC key."""
    return jwk.generate("oct", size=256, kid=kid)


@functools.cache
def signing_key(alg: str) -> Key:
    """A private key fitting the JWS ``alg``."""
    if alg.startswith("HS"):
        return jwk.generate("oct", size=int(alg[2:]))
    if alg.startswith(("RS", "PS")):
        return rsa_key()
    curves = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521", "ES256K": "secp256k1"}
    if alg in curves:
        return jwk.generate("EC", crv=curves[alg])
    if alg.startswith("ML-DSA-"):
        return jwk.generate("AKP", alg=alg)
    if alg in ("EdDSA", "Ed25519", "Ed448"):
        return jwk.generate("OKP", crv="Ed448" if alg == "Ed448" else "Ed25519")
    raise AssertionError(f"the JWT tests have no key for JWS alg {alg}: add one here")


@functools.cache
def rsa_key() -> Key:
    """One 2048-bit RSA key for the whole session."""
    return jwk.generate("RSA", size=2048)


def signed(
    payload: bytes | str | dict[str, Any],
    *,
    key: Key | None = None,
    alg: str = "HS256",
    header: dict[str, Any] | None = None,
) -> str:
    """A JWS over arbitrary payload bytes, to build tokens ``jwt.encode`` would refuse."""
    data = json.dumps(payload).encode() if isinstance(payload, dict) else payload
    return jws.sign(data, key or hmac_key(), alg, header={"typ": "JWT", **(header or {})})


def tamper_part(token: str, index: int) -> str:
    """Flip one character in the middle of part ``index`` of a compact token."""
    parts = token.split(".")
    part = parts[index]
    i = len(part) // 2
    parts[index] = part[:i] + ("A" if part[i] != "A" else "B") + part[i + 1 :]
    return ".".join(parts)

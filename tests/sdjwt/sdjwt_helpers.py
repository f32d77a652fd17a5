"""Hand-made SD-JWTs for the negative tests: any payload, any disclosure, signed for real."""

from __future__ import annotations

import json
from typing import Any

from josekit import Key, jwk, jws
from josekit._b64 import b64e_str
from josekit.sdjwt._disclosure import digest

ISSUER = "https://issuer.example"
VERIFIER = "https://verifier.example"
NONCE = "n-0S6_WzA2Mj"
NOW = 1_800_000_000

ISSUER_KEY = jwk.generate("EC", crv="P-256")
HOLDER_KEY = jwk.generate("EC", crv="P-256")
OTHER_KEY = jwk.generate("EC", crv="P-256")


def disclosure(*contents: Any) -> tuple[str, str]:
    """A disclosure of exactly ``contents`` (any shape) and its SHA-256 digest."""
    encoded = b64e_str(json.dumps(list(contents)).encode())
    return encoded, digest(encoded, "sha-256")


def signed(payload: dict[str, Any], key: Key = ISSUER_KEY, typ: str = "example+sd-jwt") -> str:
    """The issuer-signed JWT of ``payload`` as is (no SD-JWT processing)."""
    return jws.sign(json.dumps(payload).encode(), key, "ES256", header={"typ": typ})


def sd_jwt(payload: dict[str, Any], *disclosures: str, key: Key = ISSUER_KEY) -> str:
    """An SD-JWT without key binding: the signed payload, then each disclosure."""
    return "~".join([signed(payload, key), *disclosures, ""])


def options(**overrides: Any) -> dict[str, Any]:
    """verify() options for an unbound SD-JWT from ISSUER at NOW."""
    out: dict[str, Any] = {
        "algorithms": ["ES256"],
        "require_key_binding": False,
        "issuer": ISSUER,
        "now": NOW,
    }
    out.update(overrides)
    return out


def bound_options(**overrides: Any) -> dict[str, Any]:
    """verify() options requiring key binding for VERIFIER with NONCE."""
    return options(
        **{"require_key_binding": True, "kb_audience": VERIFIER, "kb_nonce": NONCE, **overrides}
    )

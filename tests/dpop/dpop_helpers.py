"""Helpers of the DPoP tests: proofs built by hand, to break one rule at a time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from josekit import jws
from josekit._b64 import b64e_str
from josekit.jwk import Key

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "dpop"
NOW = 1_800_000_000
URL = "https://api.example.com/items"


def load(name: str) -> dict[str, Any]:
    """A vector file of ``tests/vectors/dpop``."""
    return json.loads((VECTORS / name).read_text())


def claims(**overrides: Any) -> dict[str, Any]:
    """Valid proof claims for GET ``URL`` at ``NOW``, with ``overrides`` (None removes one)."""
    out: dict[str, Any] = {"jti": "jti-1", "htm": "GET", "htu": URL, "iat": NOW}
    for name, value in overrides.items():
        if value is None:
            out.pop(name, None)
        else:
            out[name] = value
    return out


def forge(
    key: Key, alg: str = "ES256", *, header: dict[str, Any] | None = None, **claim: Any
) -> str:
    """A proof signed by ``key``, its header ``typ``/``jwk`` overridable."""
    protected: dict[str, Any] = {"typ": "dpop+jwt", **(header or {})}
    if "jwk" not in protected:
        protected["jwk"] = key.public().to_dict()
    protected = {k: v for k, v in protected.items() if v is not None}
    return jws.sign(json.dumps(claims(**claim)).encode(), key, alg, header=protected)


def unsigned(header: dict[str, Any], body: dict[str, Any]) -> str:
    """A compact JWT with an empty signature (``alg: none``)."""
    head = b64e_str(json.dumps(header).encode())
    return f"{head}.{b64e_str(json.dumps(body).encode())}."

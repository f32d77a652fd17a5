"""A quick round trip through the public API."""

from __future__ import annotations

import pytest

from josekit import Key, KeySet, errors, jwk, jws


@pytest.mark.parametrize(
    ("kty", "kw", "alg"),
    [
        ("oct", {}, "HS256"),
        ("EC", {"crv": "P-256"}, "ES256"),
        ("OKP", {"crv": "Ed25519"}, "EdDSA"),
    ],
)
def test_sign_verify_round_trip(kty: str, kw: dict[str, str], alg: str) -> None:
    key = jwk.generate(kty, kid="k1", **kw)
    token = jws.sign(b"payload", key, alg)
    verifier: Key | KeySet = key if kty == "oct" else KeySet([key.public()])
    assert jws.verify(token, verifier, algorithms=[alg]).payload == b"payload"


def test_empty_algorithm_list_is_refused() -> None:
    key = jwk.generate("oct")
    token = jws.sign(b"x", key, "HS256")
    with pytest.raises(errors.AlgorithmNotAllowedError):
        jws.verify(token, key, algorithms=[])


def test_importing_josekit_warns_of_nothing() -> None:
    # A warning at import reaches every user's stderr (and the CLI's one-line errors).
    import subprocess
    import sys

    code = "import josekit, josekit.cli, josekit.jwk, josekit.jws, josekit.jwe, josekit.jwt"
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""

"""Integrated Encryption binds the JWE AAD through cryptography's private ``_encrypt_with_aad``.

The installed cryptography's public ``hpke.Suite`` has no ``aad`` input (only ``encrypt`` and
``decrypt``), so josekit calls the private pair. These tests fail loudly if an upgrade of
cryptography removes them, changes their shape, or stops binding the AAD.
"""

from __future__ import annotations

import pytest

from josekit import errors
from josekit.algorithms import hpke

SUITE = hpke.HPKE_SUITES[0]  # DHKEM(P-256) / HKDF-SHA256 / AES-128-GCM


def test_public_suite_still_lacks_aad_or_josekit_should_use_it() -> None:
    import inspect

    from cryptography.hazmat.primitives import hpke as pyca_hpke

    params = inspect.signature(pyca_hpke.Suite.encrypt).parameters
    assert "aad" not in params, "cryptography's Suite.encrypt takes aad now: use it instead"


def test_the_private_aad_functions_are_there() -> None:
    assert hpke._WITH_AAD is not None, "cryptography no longer has _encrypt_with_aad"


def test_the_aad_is_bound_by_the_private_functions() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    ek, ct = SUITE.seal(private.public_key(), b"secret", b"", b"aad-1")
    assert SUITE.open(private, ek, ct, b"", b"aad-1") == b"secret"
    with pytest.raises(errors.DecryptionError):
        SUITE.open(private, ek, ct, b"", b"aad-2")
    with pytest.raises(errors.DecryptionError):
        SUITE.open(private, ek, ct, b"", b"")

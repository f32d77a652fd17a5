"""Shared by the PKCS#11 tests: one ``Pkcs11Token`` on the session's SoftHSM2 token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from _softhsm import SoftHSMToken
from josekit.pkcs11 import Pkcs11Token

__all__ = ["open_token", "raw_session"]


def open_token(softhsm: SoftHSMToken) -> Pkcs11Token:
    """A new ``Pkcs11Token`` on the test token, logged in with its PIN."""
    return Pkcs11Token(softhsm.module, token_label=softhsm.label, pin=softhsm.pin)


@pytest.fixture
def raw_session(softhsm_token: SoftHSMToken, token: Pkcs11Token) -> Iterator[object]:
    """A python-pkcs11 session of its own (to read attributes and plant objects)."""
    import pkcs11

    lib = pkcs11.lib(softhsm_token.module)
    with lib.get_token(token_label=softhsm_token.label).open(rw=True) as session:
        yield session

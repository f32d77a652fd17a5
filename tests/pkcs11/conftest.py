"""The PKCS#11 tests share one ``Pkcs11Token`` on the session's SoftHSM2 token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pkcs11_helpers import open_token, raw_session

from _softhsm import SoftHSMToken
from josekit.pkcs11 import Pkcs11Token

__all__ = ["raw_session", "token"]


@pytest.fixture(scope="session")
def token(softhsm_token: SoftHSMToken) -> Iterator[Pkcs11Token]:
    with open_token(softhsm_token) as opened:
        yield opened

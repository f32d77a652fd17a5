"""Fixtures of the web tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The live-server helpers of the JWKS tests (uvicorn on loopback) serve these tests too.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "jwks"))

from web_helpers import Issuer


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    return Issuer()

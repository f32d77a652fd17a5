"""Fixtures of the JWE tests (RSA generation is slow, so keys are made once per session)."""

from __future__ import annotations

import pytest
from jwe_helpers import KeyFactory


@pytest.fixture(scope="session")
def keys() -> KeyFactory:
    """One key factory for the whole session."""
    return KeyFactory()

"""Fixtures of the async backend tests: one remote KMS on a loopback port per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from kms_service import Kms, KmsService, serve


@pytest.fixture(scope="session")
def _kms() -> Iterator[Kms]:
    service = KmsService(
        {
            "ec-1": ec.generate_private_key(ec.SECP256R1()),
            "rsa-1": rsa.generate_private_key(65537, 2048),
        }
    )
    with serve(service.app()) as url:
        yield Kms(service, url)


@pytest.fixture
def kms(_kms: Kms) -> Iterator[Kms]:
    """The KMS, back to answering normally for each test."""
    _kms.service.reset()
    yield _kms
    if _kms.service.stall is not None:
        _kms.service.stall.set()  # never leave a request of the server waiting

"""What the key store tests share: one minute, and the policy most of them rotate by."""

from __future__ import annotations

from datetime import timedelta

from josekit.jwks import RotationPolicy

MIN = 60.0
POLICY = RotationPolicy(
    alg="ES256",
    rotate_every=timedelta(minutes=10),
    publish_ahead=timedelta(minutes=2),
    retire_after=timedelta(minutes=20),
)

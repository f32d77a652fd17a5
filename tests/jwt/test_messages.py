"""Messages: ISO 8601 times, human durations, articles, kid hints, and lists that can run."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from josekit import errors, jwe, jwk, jws, jwt
from josekit._text import a_an, duration_text, instant_text
from josekit.algorithms.key_management import KEY_MANAGEMENT

NOW = datetime(2026, 12, 4, 2, 48, 51, tzinfo=timezone.utc).timestamp()
KEY = jwk.generate("EC", crv="P-256", kid="k-2026")


def test_expired_says_when_in_iso_8601_and_leeway_in_seconds() -> None:
    token = jwt.encode({"exp": int(NOW) - 100}, KEY, "ES256")
    with pytest.raises(errors.ExpiredTokenError) as info:
        jwt.decode(token, KEY.public(), algorithms=["ES256"], leeway=30, now=NOW + 0.75)
    message = str(info.value)
    assert "it is now 2026-12-04T02:48:51Z" in message
    assert "expired at 2026-12-04T02:47:11Z" in message
    assert "(leeway 30s)" in message
    assert ".75" not in message
    assert "e+" not in message


def test_durations_are_human_never_raw_floats() -> None:
    token = jwt.encode({"iat": int(NOW) - 86_400 * 2000, "exp": int(NOW) + 60}, KEY, "ES256")
    with pytest.raises(errors.ExpiredTokenError) as info:
        jwt.decode(token, KEY.public(), algorithms=["ES256"], max_age=86_400 * 1000.0, now=NOW)
    assert "max_age 1000d" in str(info.value)
    assert "leeway 0s" in str(info.value)
    assert [duration_text(v) for v in (30, 30.0, 300, 5400, 86_400 * 1000, 0.5, 1e9)] == [
        "30s", "30s", "5m", "1h30m", "1000d", "0.5s", "11574d1h46m40s",
    ]  # fmt: skip
    assert instant_text(NOW + 0.999) == "2026-12-04T02:48:51Z"


def test_an_rsa_key_not_a_rsa_key() -> None:
    with pytest.raises(errors.InvalidKeyError) as info:
        jwe.encrypt(b"x", KEY.public(), "RSA-OAEP-256", "A256GCM")
    assert "needs an RSA key, not an EC key" in str(info.value)
    assert [a_an(w) for w in ("RSA", "EC", "OKP", "oct", "P-256", "8192-bit", "128-bit")] == [
        "an RSA", "an EC", "an OKP", "an oct", "a P-256", "an 8192-bit", "a 128-bit",
    ]  # fmt: skip


def test_a_single_key_with_another_kid_says_so() -> None:
    other = jwk.generate("EC", crv="P-256", kid="k-2025")
    token = jwt.encode({"sub": "u"}, other, "ES256")
    with pytest.raises(errors.InvalidSignatureError) as info:
        jwt.decode(token, KEY.public(), algorithms=["ES256"])
    message = str(info.value)
    assert message.startswith("signature verification failed")
    assert "'k-2025'" in message
    assert "'k-2026'" in message
    general = jws.sign_json(b"x", [jws.Signer(other, "ES256")])
    with pytest.raises(errors.InvalidSignatureError, match="kid 'k-2025' is not"):
        jws.verify_json(general, KEY.public(), algorithms=["ES256"])
    # Same kid (or none) and a bad signature: the plain message.
    forged = jwt.encode({"sub": "u"}, jwk.generate("EC", crv="P-256", kid="k-2026"), "ES256")
    with pytest.raises(errors.InvalidSignatureError) as info:
        jwt.decode(forged, KEY.public(), algorithms=["ES256"])
    assert str(info.value) == "signature verification failed"


def test_decode_nested_names_signing_algorithms() -> None:
    enc = jwk.generate("EC", crv="P-256")
    token = jwt.encode_nested({"sub": "u"}, KEY, "ES256", enc.public(), "ECDH-ES", "A256GCM")
    with pytest.raises(errors.AlgorithmNotAllowedError, match="signing_algorithms") as info:
        jwt.decode_nested(
            token, enc, KEY.public(), algorithms=["ES256"], signing_algorithms=["ES256"]
        )
    assert "'ES256'" in str(info.value)
    assert "key-management" in str(info.value)


def test_implemented_lists_leave_out_what_cannot_run() -> None:
    unavailable = [n for n in KEY_MANAGEMENT if n not in KEY_MANAGEMENT.runnable()]
    for name in unavailable:
        assert KEY_MANAGEMENT[name].suite.missing() is not None  # type: ignore[attr-defined]
    with pytest.raises(errors.UnsupportedAlgorithmError) as info:
        jwe.decrypt("a.b.c.d.e", KEY, algorithms=["RSA-OAEP-9"])
    listed = str(info.value).split("implements ", 1)[1].rstrip(")").split(", ")
    assert "RSA-OAEP-256" in listed
    assert "HPKE-0" in listed
    assert not set(unavailable) & set(listed)

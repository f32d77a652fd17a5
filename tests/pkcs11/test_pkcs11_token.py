"""The token's own defences: key attributes, export, key selection, PIN, login, fork, threads."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest
from pkcs11_helpers import open_token

from _softhsm import SoftHSMToken
from josekit import jws
from josekit.errors import InvalidKeyError, KeyBackendError
from josekit.pkcs11 import Pkcs11Token


def _private(session: Any, key: Any) -> Any:
    import pkcs11

    template = {
        pkcs11.Attribute.CLASS: pkcs11.ObjectClass.PRIVATE_KEY,
        pkcs11.Attribute.ID: key.external.cka_id,
    }
    (found,) = list(session.get_objects(template))
    return found


def test_generated_private_key_is_sensitive_never_extractable_one_use(
    token: Pkcs11Token, raw_session: Any
) -> None:
    import pkcs11

    a = pkcs11.Attribute
    for kty, crv, use, allowed in (
        ("EC", "P-256", "sig", a.SIGN),
        ("RSA", None, "enc", a.DECRYPT),
        ("EC", "P-384", "enc", a.DERIVE),
    ):
        key = token.generate(kty, crv=crv, label=f"attrs-{kty}-{use}", use=use)
        names = [a.SENSITIVE, a.EXTRACTABLE, a.ALWAYS_SENSITIVE, a.NEVER_EXTRACTABLE, a.PRIVATE]
        names += [a.MODIFIABLE, a.SIGN, a.DECRYPT, a.DERIVE, a.UNWRAP, a.TOKEN]
        attrs = _private(raw_session, key).get_attributes(names)
        assert attrs[a.SENSITIVE]
        assert attrs[a.ALWAYS_SENSITIVE]
        assert attrs[a.NEVER_EXTRACTABLE]
        assert attrs[a.PRIVATE]
        assert attrs[a.TOKEN]
        assert not attrs[a.EXTRACTABLE]
        assert not attrs[a.MODIFIABLE]
        assert not attrs[a.UNWRAP]
        for capability in (a.SIGN, a.DECRYPT, a.DERIVE):
            assert bool(attrs[capability]) == (capability == allowed), capability
        with pytest.raises(InvalidKeyError, match="held by Pkcs11PrivateKey"):
            key.to_dict(private=True)
        with pytest.raises(InvalidKeyError, match="held by"):
            key.to_pem(private=True)
        with pytest.raises(InvalidKeyError, match="held by"):
            key.crypto_key  # noqa: B018


def test_key_lookup_refuses_none_duplicates_and_extractable_keys(
    token: Pkcs11Token, raw_session: Any
) -> None:
    import pkcs11

    with pytest.raises(KeyBackendError, match="0 private keys"):
        token.key("no-such-key")
    with pytest.raises(InvalidKeyError, match="label and/or id"):
        token.key()
    token.generate("EC", crv="P-256", label="twice")
    token.generate("EC", crv="P-256", label="twice")  # a planted second key with the same label
    with pytest.raises(KeyBackendError, match="2 private keys"):
        token.key("twice")
    # An extractable key made outside josekit is refused.
    raw_session.generate_keypair(
        pkcs11.KeyType.EC,
        store=True,
        label="extractable",
        id=b"extractable-id",
        mechanism=pkcs11.Mechanism.EC_KEY_PAIR_GEN,
        public_template={pkcs11.Attribute.EC_PARAMS: bytes.fromhex("06082a8648ce3d030107")},
        private_template={pkcs11.Attribute.EXTRACTABLE: True, pkcs11.Attribute.SENSITIVE: False},
    )
    with pytest.raises(InvalidKeyError, match="extractable or not sensitive"):
        token.key("extractable")


def test_key_by_id_with_kid_and_the_same_private_key(token: Pkcs11Token) -> None:
    made = token.generate("EC", crv="P-256", label="by-id", kid="issuer-key-1")
    again = token.key(id=made.external.cka_id, kid="issuer-key-1")
    assert again.kid == "issuer-key-1"
    assert again.thumbprint() == made.thumbprint()
    assert jws.verify(jws.sign(b"x", again, alg="ES256"), made.public(), algorithms=["ES256"])


def test_pin_never_shown_and_a_wrong_pin_is_refused(softhsm_token: SoftHSMToken) -> None:
    # The spare token has no login yet: the wrong PIN reaches C_Login, once.
    spare = softhsm_token.spare_label
    with pytest.raises(KeyBackendError, match="refused the PIN") as info:
        Pkcs11Token(softhsm_token.module, token_label=spare, pin="wrong-pin-9")
    assert "wrong-pin-9" not in str(info.value)
    assert "wrong-pin-9" not in repr(info.value)
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__
    os.environ["JOSEKIT_TEST_PIN"] = softhsm_token.spare_pin
    try:
        with Pkcs11Token(softhsm_token.module, token_label=spare, pin_env="JOSEKIT_TEST_PIN") as ok:
            key = ok.generate("EC", crv="P-256", label="after-pin")
            assert softhsm_token.spare_pin not in repr(ok) + repr(key) + repr(key.external)
            assert jws.sign(b"x", key, alg="ES256")
    finally:
        del os.environ["JOSEKIT_TEST_PIN"]
    with pytest.raises(InvalidKeyError, match="not set"):
        Pkcs11Token(softhsm_token.module, token_label=spare, pin_env="JOSEKIT_NO_SUCH_PIN")
    with pytest.raises(KeyBackendError, match="no single token"):
        Pkcs11Token(softhsm_token.module, token_label="no-such-token", pin="x")


def test_closing_one_token_object_never_logs_out_another(
    softhsm_token: SoftHSMToken, token: Pkcs11Token
) -> None:
    key = token.generate("EC", crv="P-256", label="two-objects")
    second = open_token(softhsm_token)
    other = second.key("two-objects")
    second.close()
    second.close()  # idempotent
    assert jws.verify(jws.sign(b"x", key, alg="ES256"), key.public(), algorithms=["ES256"])
    with pytest.raises(KeyBackendError, match="closed"):
        second.key("two-objects")
    # keys of the closed object keep working while the session's token is open
    assert jws.sign(b"y", other, alg="ES256")


def test_a_forked_child_reinitialises_and_signs(token: Pkcs11Token) -> None:
    key = token.generate("EC", crv="P-256", label="fork")
    assert jws.sign(b"parent", key, alg="ES256")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: inherited handles are unusable; the module is set up anew
        code = 1
        try:
            compact = jws.sign(b"child", key, alg="ES256")
            os.write(write, compact.encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    compact = os.read(read, 4096).decode()
    os.close(read)
    assert os.waitstatus_to_exitcode(status) == 0
    assert jws.verify(compact, key.public(), algorithms=["ES256"]).payload == b"child"
    assert jws.sign(b"parent again", key, alg="ES256")  # the parent is unaffected


def test_eight_threads_signing_through_one_token(token: Pkcs11Token) -> None:
    keys = [
        token.generate("EC", crv="P-256", label="threads-ec"),
        token.generate("RSA", size=2048, label="threads-rsa"),
    ]
    algs = ["ES256", "RS256"]
    errors: list[BaseException] = []
    made: list[tuple[int, bytes, str]] = []
    lock = threading.Lock()
    stop = time.monotonic() + 2.0  # the run's length only; nothing asserts on time

    def work(n: int) -> None:
        i = 0
        try:
            while time.monotonic() < stop:
                which = (n + i) % 2
                payload = f"{n}-{i}".encode()
                compact = jws.sign(payload, keys[which], alg=algs[which])
                with lock:
                    made.append((which, payload, compact))
                i += 1
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(made) >= 16
    for which, payload, compact in made:
        assert (
            jws.verify(compact, keys[which].public(), algorithms=[algs[which]]).payload == payload
        )


def test_already_logged_in_is_success_and_a_lost_login_is_restored_once(
    softhsm_token: SoftHSMToken,
) -> None:
    import pkcs11

    lib = pkcs11.lib(softhsm_token.module)
    spare = softhsm_token.spare_label
    # Another part of the application logged in first: CKR_USER_ALREADY_LOGGED_IN is success.
    other = lib.get_token(token_label=spare).open(rw=True, user_pin=softhsm_token.spare_pin)
    with Pkcs11Token(softhsm_token.module, token_label=spare, pin=softhsm_token.spare_pin) as token:
        key = token.generate("EC", crv="P-256", label="relogin")
        # ...and then logged out (its session closes with C_Logout): josekit logs in once more.
        other.close()
        compact = jws.sign(b"after logout", key, alg="ES256")
        assert jws.verify(compact, key.public(), algorithms=["ES256"]).payload == b"after logout"

"""A remote KMS that fails, a caller that cannot await it, cancellation and concurrency."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from kms_service import Kms, RemoteKmsKey
from remote import remote_key, run

from josekit import jwe, jwk, jws, jwt
from josekit.algorithms.content import DECRYPTION_FAILED
from josekit.errors import (
    AlgorithmNotAllowedError,
    CriticalHeaderError,
    DecryptionError,
    InvalidKeyError,
    KeyBackendError,
    MalformedError,
    UnsupportedAlgorithmError,
)
from josekit.jwk import AsyncExternalPrivateKey, ExternalPrivateKey, Key, KeySet, external_key

CLAIMS = {"sub": "alice"}


def _closed_port() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


async def _outcome(call: Any) -> Any:
    try:
        return await call
    except Exception as exc:
        return exc


def _sign_and_decrypt(kms: Kms, backend_for: Callable[[RemoteKmsKey], Any]) -> list[Any]:
    """Sign with the EC key and decrypt an RSA-OAEP-256 JWE, each through ``backend_for``."""

    async def scenario(client: httpx.AsyncClient) -> list[Any]:
        ec_key, ec_backend = await remote_key(client, "ec-1")
        rsa_key, rsa_backend = await remote_key(client, "rsa-1")
        signing = external_key(ec_key.public(), backend_for(ec_backend))
        decrypting = external_key(rsa_key.public(), backend_for(rsa_backend))
        sealed = jwe.encrypt(b"x", rsa_key.public(), "RSA-OAEP-256", "A128GCM")
        return [
            await _outcome(jwt.encode_async(CLAIMS, signing, "ES256")),
            await _outcome(jwe.decrypt_async(sealed, decrypting, algorithms=["RSA-OAEP-256"])),
        ]

    return run(kms, scenario)


def test_server_error_is_a_backend_error_or_the_uniform_decryption_error(kms: Kms) -> None:
    kms.service.status = 500
    signed, decrypted = _sign_and_decrypt(kms, lambda backend: backend)
    assert isinstance(signed, KeyBackendError)
    assert "RemoteKmsKey('ec-1') failed to sign with ES256 (HTTPStatusError)" in str(signed)
    assert isinstance(decrypted, DecryptionError)
    assert str(decrypted) == DECRYPTION_FAILED
    assert (kms.service.seen["sign"], kms.service.seen["decrypt"]) == (1, 1)


def test_connection_refused_is_a_backend_error_or_the_uniform_decryption_error(
    kms: Kms,
) -> None:
    dead = httpx.AsyncClient(base_url=_closed_port(), timeout=10)
    signed, decrypted = _sign_and_decrypt(kms, lambda b: RemoteKmsKey(dead, b.key_id))
    assert isinstance(signed, KeyBackendError)
    assert "RemoteKmsKey('ec-1') failed to sign with ES256 (ConnectError)" in str(signed)
    assert isinstance(decrypted, DecryptionError)
    assert str(decrypted) == DECRYPTION_FAILED


def test_a_result_that_is_not_bytes_is_refused(kms: Kms) -> None:
    def wrong(backend: RemoteKmsKey) -> RemoteKmsKey:
        backend.wrong_type = True  # the service's base64 text, not the octets
        return backend

    signed, decrypted = _sign_and_decrypt(kms, wrong)
    assert isinstance(signed, KeyBackendError)
    assert str(signed) == "RemoteKmsKey('ec-1') returned str, not bytes"
    assert isinstance(decrypted, DecryptionError)
    assert str(decrypted) == DECRYPTION_FAILED
    assert (kms.service.seen["sign"], kms.service.seen["decrypt"]) == (1, 1)


def test_an_algorithm_the_kms_does_not_do_is_reported(kms: Kms) -> None:
    async def scenario(client: httpx.AsyncClient) -> list[Any]:
        key, _ = await remote_key(client, "rsa-1")
        sealed = jwe.encrypt(b"x", key.public(), "RSA-OAEP-384", "A128GCM")
        return [
            await _outcome(jws.sign_async(b"x", key, "PS384")),
            await _outcome(jwe.decrypt_async(sealed, key, algorithms=["RSA-OAEP-384"])),
        ]

    signed, decrypted = run(kms, scenario)
    assert isinstance(signed, UnsupportedAlgorithmError)
    assert "does not sign with PS384" in str(signed)
    assert isinstance(decrypted, UnsupportedAlgorithmError)


def test_every_check_runs_before_the_kms_is_called(kms: Kms) -> None:
    async def scenario(client: httpx.AsyncClient) -> list[Any]:
        key, _ = await remote_key(client, "rsa-1")
        sealed = jwe.encrypt(b"x", key.public(), "RSA-OAEP-256", "A128GCM")
        return [
            await _outcome(jwt.encode_async(CLAIMS, key, "ES256")),
            await _outcome(jws.sign_async(b"x", key, "RS256", header={"crit": ["nope"]})),
            await _outcome(jwe.decrypt_async(sealed, key, algorithms=["RSA-OAEP"])),
            await _outcome(jwe.decrypt_async(sealed[:-1], key, algorithms=["RSA-OAEP-256"])),
        ]

    wrong_alg, bad_header, not_allowed, malformed = run(kms, scenario)
    assert isinstance(wrong_alg, InvalidKeyError)
    assert isinstance(bad_header, CriticalHeaderError)
    assert isinstance(not_allowed, AlgorithmNotAllowedError)
    assert isinstance(malformed, MalformedError)
    assert sum(kms.service.seen.values()) == 0


def _sync_calls(key: Key, sealed: str, encrypted: str) -> list[Callable[[], object]]:
    """Every sync twin of an async entry point, with a key held by the async KMS backend."""
    peer = jwk.generate("EC", crv="P-256")
    rsa1_5 = jwe.encrypt_json(b"x", [jwe.Recipient(key.public(), "RSA1_5")], "A128GCM")
    return [
        lambda: jws.sign(b"x", key, "RS256"),
        lambda: jws.sign_json(b"x", [jws.Signer(key, "RS256")]),
        lambda: jwt.encode(CLAIMS, key, "RS256"),
        lambda: jwt.encode_nested(CLAIMS, key, "RS256", peer.public(), "ECDH-ES", "A128GCM"),
        lambda: jwe.decrypt(sealed, key, algorithms=["RSA-OAEP-256"]),
        lambda: jwe.decrypt(sealed, KeySet([key]), algorithms=["RSA-OAEP-256"]),
        # RSA1_5 goes on with a random CEK when decryption fails: not when it was never tried.
        lambda: jwe.decrypt_json(rsa1_5, key, algorithms=["RSA1_5"]),
        lambda: jwt.decode_encrypted(encrypted, key, algorithms=["RSA-OAEP-256"]),
        lambda: jwt.decode_nested(
            encrypted, key, peer, algorithms=["RSA-OAEP-256"], signing_algorithms=["ES256"]
        ),
    ]


def _check_refusals(calls: list[Callable[[], object]]) -> None:
    for call in calls:
        with pytest.raises(KeyBackendError) as info:
            call()
        message = str(info.value)
        assert "RemoteKmsKey('rsa-1') is an async backend" in message
        assert ("jwt.encode_async" in message) or ("jwe.decrypt_async" in message)


def test_sync_functions_refuse_an_async_backend_outside_and_inside_the_loop(kms: Kms) -> None:
    async def scenario(client: httpx.AsyncClient) -> list[Callable[[], object]]:
        key, _ = await remote_key(client, "rsa-1")
        sealed = jwe.encrypt(b"x", key.public(), "RSA-OAEP-256", "A128GCM")
        encrypted = jwt.encode_encrypted(CLAIMS, key.public(), "RSA-OAEP-256", "A128GCM")
        calls = _sync_calls(key, sealed, encrypted)
        _check_refusals(calls)  # on the event loop's thread: refused, never waiting
        return calls

    _check_refusals(run(kms, scenario))  # no event loop at all
    assert sum(kms.service.seen.values()) == 0


class _ThreadRecordingBackend:
    """A sync (HSM-like) backend noting the thread each call runs in."""

    def __init__(self, private: ec.EllipticCurvePrivateKey) -> None:
        self.private = private
        self.threads: list[int] = []

    def sign(self, alg: str, data: bytes) -> bytes:
        self.threads.append(threading.get_ident())
        r, s = decode_dss_signature(self.private.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def decrypt(self, alg: str, encrypted_key: bytes) -> bytes:
        raise UnsupportedAlgorithmError("signing only")

    def exchange(self, alg: str, peer: Any) -> bytes:
        self.threads.append(threading.get_ident())
        return self.private.exchange(ec.ECDH(), peer)


def test_a_sync_backend_runs_off_the_event_loop_thread() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    backend = _ThreadRecordingBackend(private)
    key = external_key(Key.import_key(private.public_key()), backend)
    sealed = jwe.encrypt(b"x", key.public(), "ECDH-ES", "A128GCM")

    async def scenario() -> int:
        token = await jwt.encode_async(CLAIMS, key, "ES256")
        assert jwt.decode(token, key.public(), algorithms=["ES256"]).claims == CLAIMS
        assert (await jwe.decrypt_async(sealed, key, algorithms=["ECDH-ES"])).plaintext == b"x"
        return threading.get_ident()

    loop_thread = asyncio.run(scenario())
    assert len(backend.threads) == 2
    assert loop_thread not in backend.threads
    assert jwt.encode(CLAIMS, key, "ES256")  # and the sync functions still call it


def test_fifty_concurrent_encodes_through_one_client(kms: Kms) -> None:
    async def scenario(client: httpx.AsyncClient) -> tuple[list[str], list[bytes], Key]:
        ec_key, _ = await remote_key(client, "ec-1")
        rsa_key, _ = await remote_key(client, "rsa-1")
        tokens = await asyncio.gather(
            *(jwt.encode_async({"sub": "alice", "n": n}, ec_key, "ES256") for n in range(50))
        )
        sealed = [
            jwe.encrypt(f"{n}", rsa_key.public(), "RSA-OAEP-256", "A128GCM") for n in range(20)
        ]
        opened = await asyncio.gather(
            *(jwe.decrypt_async(s, rsa_key, algorithms=["RSA-OAEP-256"]) for s in sealed)
        )
        return tokens, [o.plaintext for o in opened], ec_key.public()

    tokens, plaintexts, public = run(kms, scenario)
    claims = [jwt.decode(t, public, algorithms=["ES256"]).claims["n"] for t in tokens]
    assert claims == list(range(50))
    assert plaintexts == [f"{n}".encode() for n in range(20)]
    assert (kms.service.seen["sign"], kms.service.seen["decrypt"]) == (50, 20)


def test_a_cancelled_call_frees_its_worker_and_calls_the_kms_no_more(kms: Kms) -> None:
    kms.service.stall = threading.Event()  # every answer waits until the test is over

    async def scenario(client: httpx.AsyncClient) -> tuple[bool, bool]:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(ThreadPoolExecutor(max_workers=1))
        key, backend = await remote_key(client, "rsa-1")
        # Two candidates without a kid in the token: the worker tries one, then the other.
        keys = KeySet([external_key(key.public(), backend, kid=kid) for kid in ("first", "second")])
        unnamed = Key.import_key(key.public_crypto_key)
        sealed = jwe.encrypt(b"x", unnamed, "RSA-OAEP-256", "A128GCM")
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(
                jwe.decrypt_async(sealed, keys, algorithms=["RSA-OAEP-256"]), timeout=0.2
            )
        for _ in range(1000):  # the request to the KMS was cancelled (10 s at most)
            if backend.finished.is_set():
                break
            await asyncio.sleep(0.01)
        call_ended = backend.finished.is_set()
        # The only worker is free again (it would wait for the stalled answer otherwise).
        free = await asyncio.wait_for(loop.run_in_executor(None, lambda: True), timeout=10)
        return call_ended, free

    # The client would wait 90 s for the stalled answer: only cancelling the request ends it.
    assert run(kms, scenario, timeout=90) == (True, True)
    assert kms.service.seen["decrypt"] == 1


def test_backends_of_either_kind_and_mixed_ones(kms: Kms) -> None:
    class Mixed:
        async def sign(self, alg: str, data: bytes) -> bytes:
            return b""

        def decrypt(self, alg: str, encrypted_key: bytes) -> bytes:
            return b""

        def exchange(self, alg: str, peer: Any) -> bytes:
            return b""

    public = jwk.generate("EC", crv="P-256").public()
    with pytest.raises(InvalidKeyError, match=r"Mixed mixes async and plain methods \(decrypt"):
        external_key(public, Mixed())  # type: ignore[arg-type]
    with pytest.raises(InvalidKeyError, match="ExternalPrivateKey or AsyncExternalPrivateKey"):
        external_key(public, object())  # type: ignore[arg-type]
    remote = RemoteKmsKey(httpx.AsyncClient(base_url=kms.url), "ec-1")
    assert isinstance(remote, AsyncExternalPrivateKey)
    assert external_key(public, remote).external is remote
    assert isinstance(
        _ThreadRecordingBackend(ec.generate_private_key(ec.SECP256R1())), ExternalPrivateKey
    )


def test_a_sync_call_on_the_loop_thread_inside_a_backend_is_refused_not_a_deadlock(
    kms: Kms,
) -> None:
    """A backend coroutine runs on the loop with the caller's context: a sync function it
    calls there with an async backend must refuse (waiting would block the loop for good)."""
    outcome: list[Any] = []

    class Countersigning:
        def __init__(self, inner: Key) -> None:
            self.inner = inner

        async def sign(self, alg: str, data: bytes) -> bytes:
            jws.sign(data, self.inner, "ES256")  # sync, on the loop thread
            return b""

        async def decrypt(self, alg: str, encrypted_key: bytes) -> bytes:
            raise UnsupportedAlgorithmError("signing only")

        async def exchange(self, alg: str, peer: Any) -> bytes:
            raise UnsupportedAlgorithmError("signing only")

    async def scenario(client: httpx.AsyncClient) -> None:
        inner, _ = await remote_key(client, "ec-1")
        outer = external_key(inner.public(), Countersigning(inner))
        outcome.append(await _outcome(jwt.encode_async(CLAIMS, outer, "ES256")))

    # In a thread of its own: if the refusal were missing, only that thread would hang.
    thread = threading.Thread(target=run, args=(kms, scenario), daemon=True)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()
    assert isinstance(outcome[0], KeyBackendError)
    assert "RemoteKmsKey('ec-1') is an async backend" in str(outcome[0])
    assert kms.service.seen["sign"] == 0

"""Awaiting an async key backend (``jwk.AsyncExternalPrivateKey``) from the sync pipelines.

Every check and every step of signing and decrypting exists once, as sync code. An async
entry point (``jws.sign_async``, ``jwe.decrypt_async``...) whose key is held by a backend runs
that sync code in a worker thread (:func:`offload`), with a context variable holding a
:class:`_Bridge` to its event loop. When the pipeline reaches the backend
(:func:`backend_method`), a plain method is called right there, in the worker, so a blocking
HSM call never stalls the loop; a coroutine method is submitted to the loop and the worker
waits for its result, while the loop serves everything else.

Without a bridge (a sync function), or on the loop's own thread, a coroutine method cannot
be awaited: that is a :class:`KeyBackendError` naming the async entry points, never a wait
that could not end. When the awaiting task is cancelled (a timeout), the bridge closes: the
backend call in flight is cancelled and the worker's next backend call is refused.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import threading
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any, TypeVar

from ..errors import KeyBackendError
from ..jwk import Key, KeySet

__all__ = ["backend_method", "held_elsewhere", "offload"]

_T = TypeVar("_T")

_SIGNING = (
    "jws.sign_async, jws.sign_json_async, jwt.encode_async, jwt.encode_nested_async, "
    "sdjwt.issue_async, sdjwt.present_async or dpop.create_proof_async"
)
_DECRYPTING = (
    "jwe.decrypt_async, jwe.decrypt_json_async, jwt.decode_encrypted_async or "
    "jwt.decode_nested_async"
)
# The async entry points that await each backend operation.
_ASYNC_TWINS = {"sign": _SIGNING, "decrypt": _DECRYPTING, "exchange": _DECRYPTING}


class _Bridge:
    """The event loop of one async call, and the backend calls its worker has in flight."""

    __slots__ = ("_lock", "_open", "_pending", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._lock = threading.Lock()
        self._open = True
        self._pending: set[concurrent.futures.Future[Any]] = set()

    def run(self, backend: object, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run ``coro`` on the loop and wait for its result (in the worker thread)."""
        with self._lock:
            if not self._open or self.loop.is_closed():
                coro.close()
                raise KeyBackendError(
                    f"{backend!r} was not called: the async call that needed it was "
                    "cancelled or has returned"
                )
            future = asyncio.run_coroutine_threadsafe(coro, self.loop)
            self._pending.add(future)
        try:
            return future.result()
        finally:
            with self._lock:
                self._pending.discard(future)

    def close(self) -> None:
        """Refuse further backend calls and cancel those in flight."""
        with self._lock:
            self._open = False
            for future in self._pending:
                future.cancel()


_BRIDGE: ContextVar[_Bridge | None] = ContextVar("josekit_backend_bridge", default=None)


def _loop_in_this_thread() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def backend_method(backend: Any, operation: str) -> Callable[..., Any]:
    """``backend.<operation>`` as a plain call: a coroutine method is awaited on the loop of
    the async entry point whose worker calls it.

    Raises:
        KeyBackendError: the method is a coroutine and no async entry point's worker is
            calling it (a sync function, or the event loop's own thread).
    """
    method = getattr(backend, operation)
    if not inspect.iscoroutinefunction(method):
        return method  # type: ignore[no-any-return]
    bridge = _BRIDGE.get()
    if bridge is None or _loop_in_this_thread():
        raise KeyBackendError(
            f"{backend!r} is an async backend (AsyncExternalPrivateKey): a sync function "
            f"cannot await its {operation}(); use {_ASYNC_TWINS[operation]} from the event loop"
        )
    return lambda *args: bridge.run(backend, method(*args))


def held_elsewhere(*sources: object) -> bool:
    """True if a private operation with these keys may call a backend (or a resolver)."""
    for source in sources:
        if isinstance(source, Key):
            if source.external is not None:
                return True
        elif isinstance(source, KeySet):
            if source._held_elsewhere():
                return True
        elif not isinstance(source, (str, bytes, bytearray)):
            return True  # a resolver: its keys, and how it finds them, are unknown
    return False


async def offload(run: Callable[[], _T], *sources: object) -> _T:
    """``run()`` for an async entry point: in a worker thread bridged to this loop when one
    of ``sources`` may call a backend, else directly (software keys: microseconds of CPU)."""
    if not held_elsewhere(*sources):
        return run()
    bridge = _Bridge(asyncio.get_running_loop())
    token = _BRIDGE.set(bridge)
    try:
        # to_thread copies this context, bridge included, into the worker.
        return await asyncio.to_thread(run)
    finally:
        _BRIDGE.reset(token)
        bridge.close()

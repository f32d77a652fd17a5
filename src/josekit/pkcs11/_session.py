"""One loaded PKCS#11 module per process: its lock, its logins and its session pools.

python-pkcs11 initialises a module with ``C_Initialize(NULL)`` (SoftHSM2 then turns its own
locking off) and releases the GIL around every call, so every call into a module holds that
module's lock. Each operation takes a session of its own from the token's pool and holds it
from ``C_*Init`` to the result. The user logs in once per token (login is per application):
the login session is kept open, and closed (``C_Logout``) only when the last
:class:`~josekit.pkcs11.Pkcs11Token` on that token closes. After ``fork()`` the child drops
every inherited handle without a Cryptoki call and re-initialises the module on first use.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import KeyBackendError

__all__ = ["MissingObject", "Secret", "TokenSessions", "import_pkcs11", "open_sessions"]

T = TypeVar("T")

_REGISTRY_LOCK = threading.Lock()
_MODULES: dict[str, _Module] = {}


class MissingObject(KeyBackendError):
    """No object matched on the token (or, after a lost login, no private one is visible)."""


def import_pkcs11() -> Any:
    """The ``pkcs11`` package (python-pkcs11), or an ImportError naming the extra."""
    try:
        import pkcs11
    except ImportError as exc:
        raise ImportError(
            "josekit.pkcs11 needs python-pkcs11, which is not installed: "
            "pip install 'josekit[pkcs11]'"
        ) from exc
    return pkcs11


class Secret:
    """A PIN kept for (re-)login only: its repr and str never show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The PIN itself, for ``C_Login``."""
        return self._value

    def __repr__(self) -> str:
        return "Secret(***)"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a PIN cannot be pickled")


class _Module:
    """A loaded module in this process (``pid``): its lock and one entry per token label."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lock = threading.RLock()
        self.pid = os.getpid()
        self.tokens: dict[str, TokenSessions] = {}
        self.lib: Any = None

    def library(self) -> Any:
        """The python-pkcs11 ``lib``, re-initialised once in a forked child (lock held)."""
        if self.pid != os.getpid():
            # Inherited handles are unusable: forget them without calling Cryptoki on them,
            # then finalize/initialize the module anew in this process.
            for sessions in self.tokens.values():
                sessions.forget()
            self.pid = os.getpid()
            if self.lib is not None:
                self.lib.reinitialize()
        if self.lib is None:
            self.lib = import_pkcs11().lib(self.path)
        return self.lib


class TokenSessions:
    """The shared state of one token in one module: login, idle sessions, users."""

    def __init__(self, module: _Module, label: str) -> None:
        self.module = module
        self.label = label
        self.users = 0
        self.token: Any = None
        self.login: Any = None
        self.idle: list[Any] = []
        self.pin: Secret | None = None

    def forget(self) -> None:
        """Drop every handle (after fork): no Cryptoki call."""
        self.token, self.login, self.idle = None, None, []

    def _ensure(self) -> Any:
        lib = self.module.library()
        if self.token is None:
            p11 = import_pkcs11()
            try:
                self.token = lib.get_token(token_label=self.label)
            except (p11.NoSuchToken, p11.MultipleTokensReturned):
                raise KeyBackendError(
                    f"PKCS#11 module {self.module.path!r} has no single token labelled "
                    f"{self.label!r}: check token_label"
                ) from None
        if self.login is None and self.pin is not None:
            self._log_in()
        return self.token

    def _log_in(self) -> None:
        p11 = import_pkcs11()
        assert self.pin is not None
        try:
            self.login = self.token.open(rw=True, user_pin=self.pin.reveal())
        except p11.UserAlreadyLoggedIn:
            self.login = self.token.open(rw=True)  # logged in already: that is success
        except (p11.PinIncorrect, p11.PinLocked, p11.PinExpired, p11.PinInvalid) as exc:
            # Stop at the first refusal: retrying would burn the token's PIN retries.
            raise KeyBackendError(
                f"token {self.label!r} refused the PIN ({type(exc).__name__}); "
                "check pin / pin_env (the PIN itself is never shown)"
            ) from None

    def run(self, operation: Callable[[Any], T]) -> T:
        """``operation(session)`` with a pooled session, under the module lock.

        On ``USER_NOT_LOGGED_IN``, or when a private object is not found (a token hides
        private objects once logged out), the user logs in once more and the operation is
        retried once; any other PKCS#11 error propagates.
        """
        p11 = import_pkcs11()
        with self.module.lock:
            for attempt in (1, 2):
                self._ensure()
                session = self.idle.pop() if self.idle else self.token.open(rw=True)
                try:
                    result = operation(session)
                except (p11.UserNotLoggedIn, MissingObject):
                    self._close_quietly(session)
                    if attempt == 2 or self.pin is None:
                        raise
                    self._close_quietly(self.login)
                    self.login = None
                    continue
                except BaseException:
                    self._close_quietly(session)  # its operation state is unknown
                    raise
                self.idle.append(session)
                return result
        raise AssertionError("unreachable")

    @staticmethod
    def _close_quietly(session: Any) -> None:
        if session is None:
            return
        with contextlib.suppress(Exception):  # a session that cannot close is gone anyway
            session.close()

    def release(self) -> None:
        """One user fewer; the last one closes the sessions and logs out."""
        with self.module.lock:
            self.users -= 1
            if self.users > 0:
                return
            if self.module.pid == os.getpid():
                for session in self.idle:
                    self._close_quietly(session)
                self._close_quietly(self.login)
            self.forget()
            self.module.tokens.pop(self.label, None)


def open_sessions(module: str, label: str, pin: Secret | None) -> TokenSessions:
    """The shared sessions of token ``label`` in ``module``, with one more user."""
    with _REGISTRY_LOCK:
        mod = _MODULES.get(module)
        if mod is None:
            mod = _MODULES[module] = _Module(module)
    with mod.lock:
        sessions = mod.tokens.get(label)
        if sessions is None:
            sessions = mod.tokens[label] = TokenSessions(mod, label)
        if sessions.pin is None:
            sessions.pin = pin
        sessions.users += 1
        try:
            sessions.run(lambda session: None)  # find the token and log in now
        except BaseException:
            sessions.release()
            raise
    return sessions

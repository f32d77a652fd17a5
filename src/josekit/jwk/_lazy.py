"""Members of a JWK Set read in two steps: the structure at once, the key material on first use.

:func:`read_member` checks what selecting a key needs (a JSON object, a ``kty`` josekit
implements, string ``kid``/``alg``/``use``, public or private, symmetric or not) without
decoding any key material. :class:`LazyKey` is a :class:`~josekit.jwk.Key` built from such a
member: ``kty``, ``kid``, ``alg`` and ``use`` are there at once; the first access to anything
else imports the member with :meth:`Key.import_key` (every check an import makes), once,
under a lock, and the key then behaves exactly as the imported one. A member that fails that
import is *skipped*: a warning names it (index and ``kid``, never key material) and the
reason, and every later use raises the same :class:`~josekit.errors.InvalidKeyError` without
importing again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Union

from ..errors import InvalidKeyError, JoseError, MalformedError, UnsupportedAlgorithmError
from ._akp import AKP_ALGORITHMS
from ._curves import EC_CURVES, OKP_CURVES
from ._key import Key

__all__ = [
    "LazyKey",
    "Placed",
    "Scan",
    "Structure",
    "check_mix",
    "describe_member",
    "read_member",
    "scan_members",
]

_log = logging.getLogger("josekit.jwk")

# Every slot a Key has, wherever in its class hierarchy it is declared.
_KEY_SLOTS = frozenset(
    name for cls in Key.__mro__ for name in getattr(cls, "__slots__", ()) if name != "__weakref__"
)
_EAGER = ("kty", "kid", "alg", "use")


def describe_member(index: int, kid: object) -> str:
    """``JWK Set member 3 (kid 'abc')``: how messages name a member (never its material)."""
    if isinstance(kid, str):
        shown = kid if len(kid) <= 64 else kid[:63] + "…"
        return f"JWK Set member {index} (kid {shown!r})"
    return f"JWK Set member {index}"


@dataclass(frozen=True, slots=True)
class _Kty:
    """What the structure check knows of a key type (one row of :data:`_KTY`).

    ``private``: the members that make such a JWK private. ``member``/``known``: a member
    whose value must be one josekit implements (a curve, an algorithm). ``refused``: a
    member josekit does not implement at all.
    """

    private: frozenset[str]
    member: str | None = None
    known: Collection[str] = ()
    refused: str | None = None

    def unsupported(self, kty: str, data: Mapping[str, Any]) -> str | None:
        """Why josekit cannot use this member, or None."""
        if self.member is not None and data.get(self.member) not in self.known:
            return f"{kty} {self.member} {data.get(self.member)!r} is not supported"
        if self.refused is not None and self.refused in data:
            return f"{kty} keys with {self.refused!r} are not supported"
        return None


# RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2; RFC 9964 (AKP).
_KTY = {
    "RSA": _Kty(frozenset(("d", "p", "q", "dp", "dq", "qi", "oth")), refused="oth"),
    "EC": _Kty(frozenset(("d",)), "crv", frozenset(EC_CURVES)),
    "OKP": _Kty(frozenset(("d",)), "crv", frozenset(OKP_CURVES)),
    "AKP": _Kty(frozenset(("priv",)), "alg", frozenset(AKP_ALGORITHMS)),
    "oct": _Kty(frozenset(("k",))),
}
_STRING_OR_NONE = frozenset((str, type(None)))


Structure = tuple[str, Union[str, None], bool]
"""What selecting needs of a member: its ``kty``, its ``kid`` and whether it is private."""


def _plain(data: object) -> Structure | None:
    """The structure of an ordinary member (the fast path), None for anything unusual."""
    if type(data) is not dict:
        return None
    get = data.get
    kty, kid = get("kty"), get("kid")
    known = _KTY.get(kty) if type(kty) is str else None
    if (
        known is None
        or type(kid) not in _STRING_OR_NONE
        or type(get("alg")) not in _STRING_OR_NONE
        or type(get("use")) not in _STRING_OR_NONE
        or (known.member is not None and get(known.member) not in known.known)
        or (known.refused is not None and known.refused in data)
    ):
        return None
    return kty, kid, not known.private.isdisjoint(data)  # type: ignore[return-value]


def read_member(position: int, data: object) -> Structure:
    """The structure of the member at ``position`` of a JWK Set: ``kty``, ``kid``, private.

    Raises:
        MalformedError: not a JSON object, or no ``kty`` string.
        InvalidKeyError: ``kid``, ``alg`` or ``use`` is present but not a string.
        UnsupportedAlgorithmError: a key type, curve or algorithm josekit does not implement.
    """
    plain = _plain(data)
    if plain is not None:
        return plain
    if not isinstance(data, Mapping):
        raise MalformedError(f"JWK Set member {position} is not a JSON object")
    get = data.get
    kid = get("kid")
    label = describe_member(position, kid)
    kty = get("kty")
    if type(kty) is not str:
        raise MalformedError(f"{label} has no 'kty' string member")
    for name in ("kid", "alg", "use"):
        value = get(name)
        if value is not None and type(value) is not str:
            raise InvalidKeyError(f"{label}: JWK member {name!r} must be a string")
    known = _KTY.get(kty)
    if known is None:
        raise UnsupportedAlgorithmError(
            f"{label}: kty {kty!r} is not supported (josekit supports {sorted(_KTY)})"
        )
    unsupported = known.unsupported(kty, data)
    if unsupported is not None:
        raise UnsupportedAlgorithmError(f"{label}: {unsupported}")
    return kty, kid, not known.private.isdisjoint(data)


Placed = tuple[int, Mapping[str, Any]]
"""A member kept in a set: its position in the document, and the member itself."""


Scan = tuple[list[Placed], dict[str, int], list[str]]
"""A JWK Set's members after the structure check: those kept (in order), the index of each
``kid`` among them, and why the others were skipped."""


def scan_members(items: list[Any], *, strict: bool, where: str, public_only: bool) -> Scan:
    """Check the structure of every member of a JWK Set, without reading any key material.

    A member that fails :func:`read_member` is skipped with a warning (with ``strict``, only
    unsupported ones; the others raise). ``public_only`` refuses private and symmetric
    members; ``where`` (such as ``" from https://…"``) ends the messages.

    Raises:
        InvalidKeyError: a duplicate ``kid``; a set mixing symmetric with asymmetric or
            private with public keys; a private or symmetric member with ``public_only``.
        JoseError: with ``strict``, what :func:`read_member` raises (except unsupported).
    """
    kept: list[Placed] = []
    by_kid: dict[str, int] = {}
    skipped: list[str] = []
    kinds = set()
    for position, data in enumerate(items):
        # The fast path of read_member, inlined: it runs for every member of every set
        # fetched (make bench: jwks.parse+select.10keys).
        known = None
        if type(data) is dict:
            get = data.get
            kty, kid = get("kty"), get("kid")
            known = _KTY.get(kty) if type(kty) is str else None
        if (
            known is not None
            and type(kid) in _STRING_OR_NONE
            and type(get("alg")) in _STRING_OR_NONE
            and type(get("use")) in _STRING_OR_NONE
            and (known.member is None or get(known.member) in known.known)
            and (known.refused is None or known.refused not in data)
        ):
            private = not known.private.isdisjoint(data)
        else:
            try:
                kty, kid, private = read_member(position, data)
            except JoseError as exc:
                if strict and not isinstance(exc, UnsupportedAlgorithmError):
                    raise
                skipped.append(str(exc))
                _log.warning("%s%s is skipped: %s", describe_member(position, None), where, exc)
                continue
        if kid is not None:
            if kid in by_kid:
                raise InvalidKeyError(
                    f"duplicate kid {kid!r} in the key set (keys {kept[by_kid[kid]][0]} and "
                    f"{position}): every kid in a set must be unique"
                )
            by_kid[kid] = len(kept)
        symmetric = kty == "oct"
        if public_only and (private or symmetric):
            kind = "a symmetric ('oct')" if symmetric else "a private"
            raise InvalidKeyError(
                f"{describe_member(position, kid)} is {kind} key; a published JWK Set must "
                "hold public keys only, so it is refused"
            )
        kinds.add((symmetric, private and not symmetric))
        kept.append((position, data))
    check_mix(kinds)
    return kept, by_kid, skipped


def check_mix(kinds: set[tuple[bool, bool]]) -> None:
    """Refuse a set whose keys (``(symmetric, private)`` each) mix the kinds."""
    if len({symmetric for symmetric, _ in kinds}) > 1:
        raise InvalidKeyError("a key set must not mix symmetric ('oct') and asymmetric keys")
    if len({private for symmetric, private in kinds if not symmetric}) > 1:
        raise InvalidKeyError("a key set must not mix private and public asymmetric keys")


class LazyKey(Key):
    """A :class:`Key` whose material is imported, and fully validated, on first use."""

    __slots__ = ("_failure", "_lock", "_member", "_position", "_where")

    _failure: InvalidKeyError | None
    _position: int
    _lock: threading.Lock
    _member: Mapping[str, Any] | None
    _where: str

    @classmethod
    def of(cls, placed: Placed, where: str = "") -> LazyKey:
        """A key for a member that passed :func:`scan_members`; ``where`` ends its messages."""
        position, data = placed
        self = object.__new__(cls)
        setter = object.__setattr__
        setter(self, "_member", data)
        setter(self, "_failure", None)
        setter(self, "_lock", threading.Lock())
        setter(self, "_position", position)
        setter(self, "_where", where)
        for name in _EAGER:
            setter(self, name, data.get(name))
        return self

    @property
    def failure(self) -> InvalidKeyError | None:
        """Why this member was skipped, if importing it has failed (None otherwise)."""
        return self._failure

    def __getattr__(self, name: str) -> Any:
        # Only called for a Key slot not set yet: the material has not been imported.
        if name not in _KEY_SLOTS:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        self._load()
        return object.__getattribute__(self, name)

    def _load(self) -> None:
        with self._lock:
            failure = self._failure
            member = self._member
            if failure is None and member is not None:
                failure = self._import(member)
        if failure is not None:
            raise InvalidKeyError(str(failure))

    def _import(self, member: Mapping[str, Any]) -> InvalidKeyError | None:
        """Import ``member`` into this key (under the lock); the failure, if any, is kept."""
        try:
            full = Key.import_key(member)
        except JoseError as exc:
            reason = str(exc)
        except Exception as exc:  # an unexpected error of a dependency is still a bad key
            reason = f"the key could not be imported ({type(exc).__name__})"
        else:
            setter = object.__setattr__
            for name in _KEY_SLOTS:
                if name not in LazyKey.__slots__:
                    try:
                        setter(self, name, object.__getattribute__(full, name))
                    except AttributeError:
                        continue
            setter(self, "_member", None)
            return None
        if len(reason) > 300:
            reason = reason[:299] + "…"
        failure = InvalidKeyError(
            f"{describe_member(self._position, self.kid)}{self._where} is skipped: {reason}; "
            "the other keys of the set stay in use"
        )
        object.__setattr__(self, "_failure", failure)
        object.__setattr__(self, "_member", None)
        _log.warning("%s", failure)
        return failure

    def __repr__(self) -> str:
        if self._member is None and self._failure is None:
            return super().__repr__()
        parts = [f"kty={self.kty!r}"]
        parts += [f"{n}={getattr(self, n)!r}" for n in ("kid", "alg", "use") if getattr(self, n)]
        parts.append("not loaded yet" if self._failure is None else "invalid, skipped")
        return f"Key({', '.join(parts)})"

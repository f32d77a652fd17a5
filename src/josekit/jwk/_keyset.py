"""JWK Sets (RFC 7517 §5) and the key-resolution protocol the verifiers use."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from .._json import dumps, loads_object_of_objects
from ..errors import (
    InvalidKeyError,
    JoseError,
    KeyNotFoundError,
    LimitExceededError,
    MalformedError,
    UnsupportedAlgorithmError,
)
from ..policy import DEFAULT_LIMITS, Limits
from ._hints import not_a_key_set_message
from ._key import Key
from ._lazy import LazyKey, Placed, check_mix, describe_member, scan_members
from ._secret import FROM_SECRET_HINT

__all__ = ["KeyResolver", "KeySet", "fitting_keys", "resolve_keys"]

_log = logging.getLogger("josekit.jwk")


@runtime_checkable
class KeyResolver(Protocol):
    """Anything that can pick candidate keys for a token: a :class:`KeySet`, a remote key set.

    ``candidates`` gets the token's (merged) header and the operation, and returns the keys
    worth trying, best first. It raises :class:`KeyNotFoundError` when none can match.
    """

    def candidates(self, header: Mapping[str, Any], operation: str) -> Sequence[Key]:
        """Return the keys that may verify/decrypt a token with this header."""
        ...


class KeySet:
    """An immutable JWK Set. Keys are found by ``kid``, then by ``alg``/``use``/``kty``.

    Duplicate ``kid`` values are refused, and so is a set that mixes symmetric with
    asymmetric keys or private with public asymmetric keys (such sets are ambiguous).

    A set read with :meth:`import_key_set` reads each key's material on first use (see
    there); a set built from :class:`Key` objects holds them as they are.
    """

    __slots__ = ("_by_kid", "_keys", "_lock", "_members", "_skipped", "_where")

    _keys: list[Key | None]
    _by_kid: dict[str, int]
    _members: tuple[Placed, ...] | None
    _skipped: tuple[str, ...]
    _lock: threading.Lock
    _where: str

    def __init__(self, keys: Iterable[Key]) -> None:
        if isinstance(keys, (str, bytes, bytearray, Mapping)) or not isinstance(keys, Iterable):
            raise InvalidKeyError(not_a_key_set_message(keys))
        key_list: list[Key | None] = list(keys)
        for key in key_list:
            if not isinstance(key, Key):
                raise InvalidKeyError(f"a KeySet holds Key objects, not {type(key).__name__}")
        kinds = [(k.kid, k.is_symmetric, k.is_private) for k in key_list if k is not None]
        self._setup(_index(kinds), key_list, None, (), "")

    def _setup(
        self,
        by_kid: dict[str, int],
        keys: list[Key | None],
        members: tuple[Placed, ...] | None,
        skipped: tuple[str, ...],
        where: str,
    ) -> None:
        setter = object.__setattr__
        setter(self, "_by_kid", by_kid)
        setter(self, "_keys", keys)
        setter(self, "_members", members)
        setter(self, "_skipped", skipped)
        setter(self, "_lock", threading.Lock())
        setter(self, "_where", where)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("KeySet objects are immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("KeySet objects are immutable")

    @classmethod
    def import_key_set(
        cls,
        data: Mapping[str, Any] | str | bytes,
        *,
        limits: Limits = DEFAULT_LIMITS,
        strict: bool = False,
    ) -> KeySet:
        """Import a JWK Set from a dict or JSON text (``{"keys": [...]}``).

        The set's structure is read now: every member must be a JSON object with a ``kty``
        string, ``kid``/``alg``/``use`` are strings when present, ``kid`` values are
        distinct, and the set does not mix symmetric with asymmetric or private with public
        keys. Each key's material is read, and fully validated, on first use (cached;
        safe across threads), so selecting one key of a large set costs little.

        As RFC 7517 §5 asks, a member josekit cannot use is skipped and the other keys
        keep working: a key type, curve or algorithm it does not implement, a malformed
        member, or (on first use) a member whose material is invalid. Each skipped member
        is named in a warning on the ``josekit.jwk`` logger (index and ``kid``, never key
        material) with the reason. ``strict=True`` instead imports every key now and
        refuses the whole set for one invalid member (unsupported types are still skipped).

        Raises:
            MalformedError: not a JSON object with a ``keys`` array (or, with ``strict``,
                a member that is not an object).
            LimitExceededError: more keys than ``limits.max_keys``.
            InvalidKeyError: two keys share a ``kid``, or the set mixes symmetric with
                asymmetric or private with public keys (or, with ``strict``, a key is
                invalid).
        """
        return cls._import_members(members_of(data, limits), strict, "")

    @classmethod
    def _import_members(
        cls, items: list[Any], strict: bool, where: str = "", public_only: bool = False
    ) -> KeySet:
        """A key set of these JWK Set members (see :meth:`import_key_set`).

        ``where`` (such as ``" from https://…"``) ends the messages about members;
        ``public_only`` refuses a private or symmetric member before any key is imported.
        """
        if strict and not public_only:  # as before lazy reading: each key imported in turn
            return cls(_import_all(list(enumerate(items)), where))
        kept, by_kid, skipped = scan_members(
            items, strict=strict, where=where, public_only=public_only
        )
        if strict:
            return cls(_import_all(kept, where))
        self = object.__new__(cls)
        self._setup(by_kid, [None] * len(kept), tuple(kept), tuple(skipped), where)
        return self

    def _key_at(self, index: int) -> Key:
        """The key at ``index``, made on first access for an imported set."""
        key = self._keys[index]
        if key is None:
            members = self._members
            assert members is not None  # only an imported set has empty places
            with self._lock:
                key = self._keys[index]
                if key is None:
                    key = self._keys[index] = LazyKey.of(members[index], self._where)
        return key

    def _all(self) -> tuple[Key, ...]:
        return tuple(self._key_at(index) for index in range(len(self._keys)))

    def _held_elsewhere(self) -> bool:
        """Whether a key of this set is held by a backend (``jwk.external_key``). A set read
        from a JWK Set holds none: its members are not imported to find out."""
        return self._members is None and any(
            key is not None and key.external is not None for key in self._keys
        )

    def __iter__(self) -> Iterator[Key]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, item: object) -> bool:
        return item in self._all()

    def __repr__(self) -> str:
        return f"KeySet({list(self._all())!r})"

    @property
    def keys(self) -> tuple[Key, ...]:
        """The keys, in their original order."""
        return self._all()

    @property
    def skipped(self) -> tuple[str, ...]:
        """Why members were skipped, one line each (as found so far: see :meth:`import_key_set`)."""
        return (*self._skipped, *(reason for reason in map(_failure, self._all()) if reason))

    def get(self, kid: str) -> Key:
        """The key with this ``kid``; :class:`KeyNotFoundError` if there is none."""
        index = self._by_kid.get(kid)
        if index is None:
            raise KeyNotFoundError(f"no key with kid {kid!r} in the key set")
        return self._key_at(index)

    def find(
        self,
        *,
        kid: str | None = None,
        alg: str | None = None,
        use: str | None = None,
        kty: str | None = None,
    ) -> list[Key]:
        """All keys that match every criterion given (a key without ``alg``/``use`` matches any).

        Members already skipped (their material was found invalid) are left out.
        """
        if kid is not None:
            index = self._by_kid.get(kid)
            pool: Sequence[Key] = (self._key_at(index),) if index is not None else ()
        else:
            pool = self._all()
        return [
            k
            for k in pool
            if (alg is None or k.alg is None or k.alg == alg)
            and (use is None or k.use is None or k.use == use)
            and (kty is None or k.kty == kty)
            and not _failure(k)
        ]

    def candidates(self, header: Mapping[str, Any], operation: str) -> Sequence[Key]:
        """Keys that may process a token with this header (see :class:`KeyResolver`).

        With a ``kid`` in the header, only the key with that ``kid`` is a candidate; without
        one, every key whose ``use`` (when set) fits the operation. Whether a key fits the
        header's ``alg`` (its type, size and own ``alg``) is decided by the algorithm itself
        (:func:`fitting_keys`), which knows rules such as a ``dir`` key naming its ``enc``.
        """
        kid = header.get("kid")
        use = "sig" if operation in ("sign", "verify") else "enc"
        if kid is not None and not isinstance(kid, str):
            raise KeyNotFoundError("the header 'kid' is not a string: no key can match it")
        if not self._keys:
            raise KeyNotFoundError(self._empty())
        if kid is not None:
            index = self._by_kid.get(kid)
            if index is None:
                raise KeyNotFoundError(f"no key with kid {kid!r} in the key set")
            key = self._key_at(index)
            failure = _failure(key)
            if failure:
                raise KeyNotFoundError(f"the key with kid {kid!r} cannot be used: {failure}")
            if key.use is not None and key.use != use:
                raise KeyNotFoundError(
                    f"the key with kid {kid!r} has use {key.use!r}: it cannot {operation}"
                )
            return [key]
        found = self.find(use=use)
        if not found:
            raise KeyNotFoundError(f"no key in the key set has a use that allows {operation}")
        return found

    def _empty(self) -> str:
        if not self._skipped:
            return "the key set is empty: it holds no keys"
        return (
            f"the key set holds no usable key: all {len(self._skipped)} members were skipped "
            f"(first: {self._skipped[0]})"
        )

    def to_dict(self, private: bool = False) -> dict[str, Any]:
        """The JWK Set as a dict; public members only unless ``private=True``.

        Members skipped as invalid are left out.
        """
        out = []
        for key in self._all():
            try:
                out.append(key.to_dict(private))
            except InvalidKeyError:
                if not _failure(key):
                    raise
        return {"keys": out}

    def to_json(self, private: bool = False) -> str:
        """The JWK Set as compact JSON text."""
        return dumps(self.to_dict(private))


def _failure(key: Key) -> str:
    """Why a lazily read key was skipped ("" for a usable or not yet read key)."""
    if isinstance(key, LazyKey) and key.failure is not None:
        return str(key.failure)
    return ""


def _index(kinds: Sequence[tuple[str | None, bool, bool]]) -> dict[str, int]:
    """The ``kid`` index of a set, after refusing duplicate ``kid`` values and mixed sets."""
    position: dict[str, int] = {}
    for index, (kid, _, _) in enumerate(kinds):
        if kid is not None:
            if kid in position:
                raise InvalidKeyError(
                    f"duplicate kid {kid!r} in the key set (keys {position[kid]} and {index}): "
                    "every kid in a set must be unique"
                )
            position[kid] = index
    check_mix({(symmetric, private and not symmetric) for _, symmetric, private in kinds})
    return position


def members_of(data: object, limits: Limits) -> list[Any]:
    """The ``keys`` array of a JWK Set given as a dict or JSON text, within the limits."""
    if isinstance(data, Mapping):
        obj: Mapping[str, Any] = data
    elif isinstance(data, str):
        obj = loads_object_of_objects(data, "keys", "JWK Set", limits.max_json_depth)
    elif isinstance(data, (bytes, bytearray)):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedError("JWK Set is not valid UTF-8") from None
        obj = loads_object_of_objects(text, "keys", "JWK Set", limits.max_json_depth)
    else:
        raise MalformedError(
            f"a JWK Set is a dict or JSON text, not {type(data).__name__}; "
            "build a KeySet from Key objects with KeySet([...])"
        )
    keys = obj.get("keys")
    if not isinstance(keys, list):
        raise MalformedError("a JWK Set must be an object with a 'keys' array")
    if len(keys) > limits.max_keys:
        raise LimitExceededError(
            f"the JWK Set has {len(keys)} keys, more than the limit of {limits.max_keys}"
        )
    return keys


def _import_all(kept: Sequence[tuple[int, object]], where: str) -> list[Key]:
    """Every member imported now (the strict reading); unsupported key types are skipped."""
    imported = []
    for position, data in kept:
        if not isinstance(data, Mapping):
            raise MalformedError(f"JWK Set member {position} is not a JSON object")
        try:
            imported.append(Key.import_key(data))
        except UnsupportedAlgorithmError as exc:
            _log.warning(
                "%s%s is skipped: %s", describe_member(position, data.get("kid")), where, exc
            )
            continue
        except JoseError as exc:
            raise type(exc)(f"JWK Set member {position}: {exc}") from None
    return imported


def resolve_keys(
    source: Key | KeyResolver, header: Mapping[str, Any], operation: str
) -> Sequence[Key]:
    """The candidate keys for ``header`` from a single key or a resolver."""
    if isinstance(source, Key):
        return (source,)
    # Not isinstance(source, KeyResolver): a runtime-checkable Protocol check costs ~10 µs,
    # about a tenth of an ES256 verification; looking the method up is the same test.
    candidates = getattr(source, "candidates", None)
    if callable(candidates):
        return candidates(header, operation)  # type: ignore[no-any-return]
    hint = (
        f"{FROM_SECRET_HINT}, or Key.import_key(...) for a JWK, PEM or DER key"
        if isinstance(source, (str, bytes, bytearray, memoryview))
        else "import raw key material with Key.import_key(...) first"
    )
    raise InvalidKeyError(
        f"expected a Key, a KeySet or a key resolver, not {type(source).__name__}; {hint}"
    )


def fitting_keys(
    source: KeyResolver,
    header: Mapping[str, Any],
    operation: str,
    check: Callable[[Key], None],
    what: str,
) -> list[Key]:
    """The candidates of a resolver that pass ``check`` (an algorithm's key-fit check).

    ``what`` completes "no key in the key set can ..." in the :class:`KeyNotFoundError`
    raised when none fits; the error also says why the first candidate was refused ("key too
    small" is worth more than "not found" to whoever configured the key set).
    """
    fitting = []
    unfit: InvalidKeyError | None = None
    for candidate in resolve_keys(source, header, operation):
        if not isinstance(candidate, Key):
            raise InvalidKeyError(
                f"the key resolver returned a {type(candidate).__name__}, not a josekit Key"
            )
        try:
            check(candidate)
        except InvalidKeyError as exc:
            if unfit is None:
                unfit = exc
            continue
        fitting.append(candidate)
    if not fitting:
        reason = f" (the first candidate was refused: {unfit})" if unfit is not None else ""
        raise KeyNotFoundError(f"no key in the key set can {what}{reason}")
    return fitting

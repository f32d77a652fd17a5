"""JWK Sets (RFC 7517 §5) and the key-resolution protocol the verifiers use."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from .._json import dumps, loads_object
from ..errors import (
    InvalidKeyError,
    JoseError,
    KeyNotFoundError,
    LimitExceededError,
    MalformedError,
    UnsupportedAlgorithmError,
)
from ..policy import DEFAULT_LIMITS, Limits
from ._key import Key

__all__ = ["KeyResolver", "KeySet", "fitting_keys", "resolve_keys"]


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
    """

    __slots__ = ("_by_kid", "_keys")

    _keys: tuple[Key, ...]
    _by_kid: dict[str, Key]

    def __init__(self, keys: Iterable[Key]) -> None:
        key_list = tuple(keys)
        position: dict[str, int] = {}
        for index, key in enumerate(key_list):
            if not isinstance(key, Key):
                raise InvalidKeyError(f"a KeySet holds Key objects, not {type(key).__name__}")
            if key.kid is not None:
                if key.kid in position:
                    raise InvalidKeyError(
                        f"duplicate kid {key.kid!r} in the key set (keys {position[key.kid]} and "
                        f"{index}): every kid in a set must be unique"
                    )
                position[key.kid] = index
        symmetric = {k.is_symmetric for k in key_list}
        if len(symmetric) > 1:
            raise InvalidKeyError("a key set must not mix symmetric ('oct') and asymmetric keys")
        private = {k.is_private for k in key_list if not k.is_symmetric}
        if len(private) > 1:
            raise InvalidKeyError("a key set must not mix private and public asymmetric keys")
        object.__setattr__(self, "_keys", key_list)
        object.__setattr__(
            self, "_by_kid", {kid: key_list[index] for kid, index in position.items()}
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("KeySet objects are immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("KeySet objects are immutable")

    @classmethod
    def import_key_set(
        cls, data: Mapping[str, Any] | str | bytes, *, limits: Limits = DEFAULT_LIMITS
    ) -> KeySet:
        """Import a JWK Set from a dict or JSON text (``{"keys": [...]}``).

        Keys of a type or curve josekit does not implement are skipped, as RFC 7517 §5 asks;
        a key of a known type that is invalid makes the whole set invalid.

        Raises:
            MalformedError: not a JSON object with a ``keys`` array of objects.
            LimitExceededError: more keys than ``limits.max_keys``.
            InvalidKeyError: a key is invalid, two keys share a ``kid``, or the set mixes
                symmetric with asymmetric or private with public keys.
        """
        if isinstance(data, Mapping):
            obj: Mapping[str, Any] = data
        elif isinstance(data, (str, bytes, bytearray)):
            obj = loads_object(bytes(data) if not isinstance(data, str) else data, "JWK Set")
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
        imported = []
        for index, item in enumerate(keys):
            if not isinstance(item, Mapping):
                raise MalformedError(f"JWK Set member {index} is not a JSON object")
            try:
                imported.append(Key.import_key(item))
            except UnsupportedAlgorithmError:
                continue
            except JoseError as exc:
                raise type(exc)(f"JWK Set member {index}: {exc}") from None
        return cls(imported)

    def __iter__(self) -> Iterator[Key]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, item: object) -> bool:
        return item in self._keys

    def __repr__(self) -> str:
        return f"KeySet({list(self._keys)!r})"

    @property
    def keys(self) -> tuple[Key, ...]:
        """The keys, in their original order."""
        return self._keys

    def get(self, kid: str) -> Key:
        """The key with this ``kid``; :class:`KeyNotFoundError` if there is none."""
        key = self._by_kid.get(kid)
        if key is None:
            raise KeyNotFoundError(f"no key with kid {kid!r} in the key set")
        return key

    def find(
        self,
        *,
        kid: str | None = None,
        alg: str | None = None,
        use: str | None = None,
        kty: str | None = None,
    ) -> list[Key]:
        """All keys that match every criterion given (a key without ``alg``/``use`` matches any)."""
        if kid is not None:
            found = self._by_kid.get(kid)
            pool: Sequence[Key] = (found,) if found is not None else ()
        else:
            pool = self._keys
        return [
            k
            for k in pool
            if (alg is None or k.alg is None or k.alg == alg)
            and (use is None or k.use is None or k.use == use)
            and (kty is None or k.kty == kty)
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
        if kid is not None:
            key = self._by_kid.get(kid)
            if key is None:
                raise KeyNotFoundError(f"no key with kid {kid!r} in the key set")
            if key.use is not None and key.use != use:
                raise KeyNotFoundError(
                    f"the key with kid {kid!r} has use {key.use!r}: it cannot {operation}"
                )
            return [key]
        found = self.find(use=use)
        if not found:
            raise KeyNotFoundError(f"no key in the key set has a use that allows {operation}")
        return found

    def to_dict(self, private: bool = False) -> dict[str, Any]:
        """The JWK Set as a dict; public members only unless ``private=True``."""
        return {"keys": [k.to_dict(private) for k in self._keys]}

    def to_json(self, private: bool = False) -> str:
        """The JWK Set as compact JSON text."""
        return dumps(self.to_dict(private))


def resolve_keys(
    source: Key | KeyResolver, header: Mapping[str, Any], operation: str
) -> Sequence[Key]:
    """The candidate keys for ``header`` from a single key or a resolver."""
    if isinstance(source, Key):
        return (source,)
    if isinstance(source, KeyResolver):
        return source.candidates(header, operation)
    raise InvalidKeyError(
        f"expected a Key, a KeySet or a key resolver, not {type(source).__name__}; "
        "import raw key material with Key.import_key(...) first"
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

"""An immutable name -> descriptor table, and the check of a caller's allow-list against it."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, Generic, Protocol, TypeVar

from ..errors import AlgorithmNotAllowedError, JoseError, UnsupportedAlgorithmError

__all__ = ["Registry", "fits"]


class _Named(Protocol):
    @property
    def name(self) -> str: ...


T = TypeVar("T", bound=_Named)


def _runs(entry: object) -> bool:
    suite = getattr(entry, "suite", None)
    missing = getattr(suite, "missing", None)
    return missing is None or missing() is None


class Registry(Generic[T], Mapping[str, T]):
    """A frozen table of algorithm descriptors, keyed by their JOSE identifier."""

    __slots__ = ("_entries", "_opt_in", "kind")

    def __init__(self, kind: str, entries: Iterable[T], *, opt_in: Iterable[str] = ()) -> None:
        table: dict[str, T] = {}
        for entry in entries:
            if entry.name in table:
                raise ValueError(f"duplicate {kind} algorithm {entry.name}")  # programming error
            table[entry.name] = entry
        self.kind = kind
        self._entries: Mapping[str, T] = MappingProxyType(table)
        self._opt_in = frozenset(opt_in)

    def __getitem__(self, name: str) -> T:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def opt_in(self) -> frozenset[str]:
        """Names implemented but never part of a default set (the caller must list them)."""
        return self._opt_in

    @property
    def table(self) -> Mapping[str, T]:
        """The read-only name -> descriptor mapping itself (fast ``.get`` for hot paths)."""
        return self._entries

    def runnable(self) -> list[str]:
        """The names the installed cryptography can run, in table order (for messages).

        A row whose ``suite`` reports a missing piece (HPKE over a KEM the installed
        pyca/cryptography lacks) is left out of the lists messages show.
        """
        return [name for name, entry in self._entries.items() if _runs(entry)]

    def lookup(self, name: object) -> T:
        """The descriptor for ``name``, or :class:`UnsupportedAlgorithmError`."""
        try:
            return self._entries[name]  # type: ignore[index]
        except (KeyError, TypeError):
            raise UnsupportedAlgorithmError(
                f"{self.kind} algorithm {name!r} is not supported "
                f"(josekit implements {', '.join(self.runnable())})"
            ) from None

    def allow_list(
        self, algorithms: Iterable[str] | None, what: str = "algorithms"
    ) -> frozenset[str]:
        """Validate a caller's allow-list: a non-empty collection of implemented names."""
        if algorithms is None or isinstance(algorithms, (str, bytes)):
            raise AlgorithmNotAllowedError(
                f"{what} must be a list of {self.kind} algorithm names, "
                f"e.g. {what}=['{next(iter(self._entries))}']"
            )
        try:
            allowed = frozenset(algorithms)
        except TypeError:
            raise AlgorithmNotAllowedError(
                f"{what} must be a list of {self.kind} algorithm names (strings)"
            ) from None
        if not allowed:
            raise AlgorithmNotAllowedError(
                f"{what} is empty: name the {self.kind} algorithms you accept"
            )
        for name in allowed:
            self.lookup(name)
        return allowed

    def allowed(
        self, algorithms: Iterable[str] | None, what: str = "algorithms"
    ) -> Collection[str]:
        """Validate a caller's allow-list like :meth:`allow_list`, at less cost per call.

        A non-empty ``list`` or ``tuple`` of implemented names is returned as it is (membership
        in a short list is as fast as in a set); anything else goes through
        :meth:`allow_list`, which also raises the errors.
        """
        if type(algorithms) is list or type(algorithms) is tuple:
            entries = self._entries
            if algorithms:
                for name in algorithms:
                    if type(name) is not str or name not in entries:
                        break
                else:
                    return algorithms
        return self.allow_list(algorithms, what)

    def check_allowed(self, name: object, allowed: Collection[str]) -> T:
        """The descriptor for a header's ``alg``/``enc`` that the caller allowed."""
        if not isinstance(name, str):
            raise UnsupportedAlgorithmError(f"{self.kind} algorithm must be a string, not {name!r}")
        entry = self._entries.get(name)
        if entry is None:
            return self.lookup(name)  # raises UnsupportedAlgorithmError
        if name not in allowed:
            raise AlgorithmNotAllowedError(
                f"{self.kind} algorithm {name!r} is not in the allowed list {sorted(allowed)}"
            )
        return entry

    def check_one_algorithm(
        self, key: Any, name: str, allowed: Collection[str], fit: Callable[[T], bool]
    ) -> None:
        """Refuse to use a key without ``alg`` when more than one allowed algorithm fits it.

        "Each key MUST be used with exactly one algorithm" (draft-ietf-oauth-rfc8725bis
        §3.1): a key that does not name its algorithm gets one from the caller's allow-list,
        so that list must leave exactly one for it. ``name`` is the token's algorithm (it
        fits: the caller checked); ``fit(descriptor)`` says whether another one fits the key.

        Raises:
            AlgorithmNotAllowedError: several allowed algorithms fit the key.
        """
        if key.alg is not None or len(allowed) < 2:
            return
        entries = self._entries
        fitting = sorted(
            other
            for other in allowed
            if other == name or ((entry := entries.get(other)) is not None and fit(entry))
        )
        if len(fitting) > 1:
            label = repr(key.kid) if key.kid is not None else f"({key.kty})"
            raise AlgorithmNotAllowedError(
                f"key {label} has no 'alg', and {len(fitting)} of the allowed {self.kind} "
                f"algorithms fit it ({', '.join(fitting)}): each key must be used with exactly "
                f"one algorithm. Give the key an alg (e.g. Key.import_key(data, alg={name!r})) "
                f"or allow one algorithm for {key.kty} keys"
            )


def fits(check: Callable[..., None], *args: Any) -> bool:
    """Whether ``check(*args)`` (a descriptor's key check) passes."""
    try:
        check(*args)
    except JoseError:
        return False
    return True

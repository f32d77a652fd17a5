"""An immutable name -> descriptor table, and the check of a caller's allow-list against it."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Generic, Protocol, TypeVar

from ..errors import AlgorithmNotAllowedError, UnsupportedAlgorithmError

__all__ = ["Registry"]


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

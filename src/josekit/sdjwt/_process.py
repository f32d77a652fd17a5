"""Processing an SD-JWT payload with its disclosures (RFC 9901 §7.1, steps 3 to 5).

One walk over the signed payload serves the verifier and the holder's unverified view: it
builds the processed claims fresh (never updating the input), places every disclosure whose
digest it meets, and records where each landed and which disclosure holds it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..errors import SDJWTError
from ..policy import Limits
from ._disclosure import ARRAY_ELEMENT, DIGESTS, ELLIPSIS, SD_ALG, Disclosure, Path

__all__ = ["Processed", "process", "sd_alg_of"]


@dataclass(frozen=True, slots=True)
class Processed:
    """The outcome of :func:`process`.

    Attributes:
        claims: the processed claims: disclosed values in place, digests and ``_sd_alg`` gone.
        disclosures: the disclosures in the order received, each with its :attr:`~Disclosure.path`.
        parents: for each disclosure's digest, the digest of the disclosure whose value holds
            it (``None`` when the signed payload itself holds it).
    """

    claims: dict[str, Any]
    disclosures: tuple[Disclosure, ...]
    parents: Mapping[str, str | None]


def sd_alg_of(payload: Mapping[str, Any], accepted: frozenset[str]) -> str:
    """The payload's ``_sd_alg`` (``sha-256`` when absent), which must be in ``accepted``."""
    sd_alg = payload.get(SD_ALG, "sha-256")
    if type(sd_alg) is not str:
        raise SDJWTError(f"_sd_alg must be a string, not {type(sd_alg).__name__}")
    if sd_alg not in accepted:
        raise SDJWTError(
            f"the SD-JWT's _sd_alg {sd_alg!r} is not allowed here (allowed: "
            f"{', '.join(sorted(accepted))}); pass sd_algorithms= to accept it"
        )
    return sd_alg


class _Walk:
    """The state of one walk: digests met, disclosures placed, and the bounds."""

    def __init__(self, by_digest: dict[str, Disclosure], limits: Limits) -> None:
        self.by_digest = by_digest
        self.limits = limits
        self.seen: set[str] = set()
        self.placed: dict[str, Disclosure] = {}
        self.parents: dict[str, str | None] = {}

    def meet(self, digest: object) -> Disclosure | None:
        """The disclosure of ``digest`` (``None`` for a decoy); each digest once only."""
        if type(digest) is not str:
            raise SDJWTError(f"a digest in the SD-JWT must be a string, not {digest!r}")
        if digest in self.seen:
            raise SDJWTError(
                f"the digest {digest!r} appears more than once in the SD-JWT (RFC 9901 §7.1 "
                "step 4): the SD-JWT is refused"
            )
        self.seen.add(digest)
        return self.by_digest.get(digest)

    def value(self, node: Any, path: Path, depth: int, owner: str | None) -> Any:
        if depth > self.limits.max_sd_depth:
            raise SDJWTError(
                f"the SD-JWT nests deeper than {self.limits.max_sd_depth} levels at "
                f"{_show(path)} (Limits.max_sd_depth)"
            )
        if type(node) is dict:
            return self.object(node, path, depth, owner)
        if type(node) is list:
            return self.array(node, path, depth, owner)
        return node

    def place(self, found: Disclosure, path: Path, owner: str | None) -> None:
        self.placed[found.digest] = replace(found, path=path)
        self.parents[found.digest] = owner

    def object(
        self, node: dict[str, Any], path: Path, depth: int, owner: str | None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, member in node.items():
            if name == DIGESTS:
                continue
            if name == SD_ALG and path:
                raise SDJWTError(f"_sd_alg may appear only at the top level, not at {_show(path)}")
            if name == ELLIPSIS:
                raise SDJWTError(
                    f"the member '...' at {_show(path)} is allowed only as the single member of "
                    "an array element placeholder"
                )
            if name != SD_ALG:
                out[name] = self.value(member, (*path, name), depth + 1, owner)
        digests = node.get(DIGESTS)
        if digests is None:
            return out
        if type(digests) is not list:
            raise SDJWTError(f"_sd at {_show(path)} must be an array of digests")
        if len(digests) > self.limits.max_sd_digests:
            raise SDJWTError(
                f"_sd at {_show(path)} holds {len(digests)} digests, more than the limit of "
                f"{self.limits.max_sd_digests} (Limits.max_sd_digests)"
            )
        for digest in digests:
            found = self.meet(digest)
            if found is None:
                continue
            if found.name is ARRAY_ELEMENT:
                raise SDJWTError(
                    f"an array element disclosure is referenced from _sd at {_show(path)}; "
                    "it belongs in an array"
                )
            if found.name in out:
                raise SDJWTError(
                    f"a disclosure for {found.name!r} at {_show(path)} would overwrite a claim "
                    "already there (RFC 9901 §7.1 step 3): the SD-JWT is refused"
                )
            where = (*path, found.name)
            self.place(found, where, owner)
            out[found.name] = self.value(found.value, where, depth + 1, found.digest)
        return out

    def array(self, node: list[Any], path: Path, depth: int, owner: str | None) -> list[Any]:
        out: list[Any] = []
        for element in node:
            if type(element) is dict and ELLIPSIS in element:
                if len(element) != 1:
                    raise SDJWTError(
                        f"an array element placeholder at {_show(path)} has members besides "
                        "'...'; a placeholder has exactly one"
                    )
                found = self.meet(element[ELLIPSIS])
                if found is None:
                    continue
                if found.name is not ARRAY_ELEMENT:
                    raise SDJWTError(
                        f"the disclosure for {found.name!r} is referenced as an array element "
                        f"at {_show(path)}; it belongs in an object's _sd"
                    )
                where = (*path, len(out))
                self.place(found, where, owner)
                out.append(self.value(found.value, where, depth + 1, found.digest))
            else:
                out.append(self.value(element, (*path, len(out)), depth + 1, owner))
        return out


def process(
    payload: Mapping[str, Any], disclosures: Sequence[Disclosure], limits: Limits
) -> Processed:
    """Replace digests by the disclosed values, with every check of RFC 9901 §7.1.

    Raises:
        SDJWTError: a disclosure sent twice, a digest met twice, a disclosure no digest
            refers to, a claim overwritten, a reserved member misused, a disclosure of the
            wrong kind for its place, or a bound of ``limits`` exceeded.
    """
    by_digest: dict[str, Disclosure] = {}
    for item in disclosures:
        if item.digest in by_digest:
            raise SDJWTError(
                f"the disclosure {item.encoded[:40]!r}... is sent more than once: the SD-JWT "
                "is refused"
            )
        by_digest[item.digest] = item
    walk = _Walk(by_digest, limits)
    claims = walk.object(dict(payload), (), 0, None)
    unused = [item for item in disclosures if item.digest not in walk.placed]
    if unused:
        raise SDJWTError(
            f"{len(unused)} disclosure(s) are not referenced by any digest of the SD-JWT "
            f"(first: {unused[0].encoded[:40]!r}...); RFC 9901 §7.1 step 5 refuses them"
        )
    placed = tuple(walk.placed[item.digest] for item in disclosures)
    return Processed(claims, placed, walk.parents)


def _show(path: Path) -> str:
    return ".".join(str(step) for step in path) or "the top level"

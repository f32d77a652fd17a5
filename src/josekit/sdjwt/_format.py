"""The two serializations of an SD-JWT: compact ``jwt~d1~d2~kb`` and JWS JSON (RFC 9901 §8)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .._json import dumps, loads_object
from ..errors import JoseError, SDJWTError
from ..policy import Limits

__all__ = ["COMPACT", "JSON", "Parts", "Serialization", "hash_input_for", "join", "split"]

Serialization = Literal["compact", "json"]
COMPACT: Serialization = "compact"
JSON: Serialization = "json"

_DISCLOSURES = "disclosures"
_KB_JWT = "kb_jwt"


@dataclass(frozen=True, slots=True)
class Parts:
    """An SD-JWT or SD-JWT+KB taken apart, nothing verified yet.

    Attributes:
        serialization: ``"compact"`` or ``"json"``.
        issuer_jwt: the issuer-signed JWT: compact text, or the JWS JSON object without the
            SD-JWT members of its unprotected header (which are not signed).
        disclosures: the disclosures as received, in order.
        kb_jwt: the Key Binding JWT, or ``None``.
        hash_input: the text the KB-JWT's ``sd_hash`` covers (RFC 9901 §4.3.1, §8.1).
    """

    serialization: Serialization
    issuer_jwt: str | dict[str, Any]
    disclosures: tuple[str, ...]
    kb_jwt: str | None
    hash_input: str

    def compact_jwt(self) -> str:
        """The issuer-signed JWT in compact form (for JSON: its first signature)."""
        if isinstance(self.issuer_jwt, str):
            return self.issuer_jwt
        entry = _first_entry(self.issuer_jwt)
        return f"{entry['protected']}.{self.issuer_jwt['payload']}.{entry['signature']}"


def _text(presentation: object, limits: Limits) -> str:
    if isinstance(presentation, (bytes, bytearray, memoryview)):
        try:
            presentation = bytes(presentation).decode("utf-8")
        except UnicodeDecodeError:
            raise SDJWTError("an SD-JWT must be text (ASCII, or UTF-8 JSON)") from None
    if isinstance(presentation, Mapping):
        presentation = dumps(presentation)
    if not isinstance(presentation, str):
        raise SDJWTError(f"an SD-JWT must be a str, not {type(presentation).__name__}")
    if len(presentation) > limits.max_token_size:
        raise SDJWTError(
            f"the SD-JWT is larger than the limit of {limits.max_token_size} characters "
            "(raise Limits.max_token_size to accept it)"
        )
    return presentation


def _count(n: int, limits: Limits) -> None:
    if n > limits.max_disclosures:
        raise SDJWTError(
            f"the SD-JWT carries {n} disclosures, more than the limit of "
            f"{limits.max_disclosures} (Limits.max_disclosures)"
        )


def split(presentation: object, limits: Limits) -> Parts:
    """Take an SD-JWT (or SD-JWT+KB) apart, in either serialization.

    Raises:
        SDJWTError: not an SD-JWT: no ``~``, an empty disclosure, a JSON form without the
            SD-JWT members, too large, or more disclosures than ``limits.max_disclosures``.
    """
    text = _text(presentation, limits)
    if text.lstrip().startswith("{"):
        return _split_json(text, limits)
    if not text.isascii():
        raise SDJWTError("a compact SD-JWT must be ASCII text")
    if "~" not in text:
        raise SDJWTError(
            "this is not an SD-JWT: it has no '~' (an SD-JWT is the issuer-signed JWT, then "
            "each disclosure, each followed by '~', then an optional Key Binding JWT)"
        )
    # maxsplit bounds the work on a text made of '~': one more than the limit is enough.
    parts = text.split("~", limits.max_disclosures + 2)
    _count(len(parts) - 2, limits)
    jwt, *disclosures, last = parts
    if not jwt:
        raise SDJWTError("the SD-JWT has no issuer-signed JWT before its first '~'")
    if "" in disclosures:
        raise SDJWTError("the SD-JWT has an empty disclosure ('~~')")
    return Parts(COMPACT, jwt, tuple(disclosures), last or None, text[: len(text) - len(last)])


def _first_entry(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    signatures = obj.get("signatures")
    if signatures is None:
        return obj
    if type(signatures) is not list or not signatures or type(signatures[0]) is not dict:
        raise SDJWTError("the JSON SD-JWT's 'signatures' must be a non-empty array of objects")
    first: Mapping[str, Any] = signatures[0]
    return first


def _split_json(text: str, limits: Limits) -> Parts:
    try:
        obj = loads_object(text, "the JSON SD-JWT", limits.max_json_depth)
    except JoseError as exc:
        raise SDJWTError(str(exc)) from None
    entry = _first_entry(obj)
    header = entry.get("header")
    if type(header) is not dict or type(header.get(_DISCLOSURES)) is not list:
        raise SDJWTError(
            "a JSON SD-JWT carries its disclosures in the unprotected header of its (first) "
            "signature as 'disclosures' (RFC 9901 §8); this one has none"
        )
    disclosures = header[_DISCLOSURES]
    _count(len(disclosures), limits)
    if not all(type(d) is str and d for d in disclosures):
        raise SDJWTError("every disclosure of a JSON SD-JWT must be a non-empty string")
    kb_jwt = header.get(_KB_JWT)
    if kb_jwt is not None and (type(kb_jwt) is not str or not kb_jwt):
        raise SDJWTError("'kb_jwt' of a JSON SD-JWT must be a non-empty string")
    for other in obj.get("signatures", [])[1:]:
        if type(other) is dict and (set(other.get("header") or ()) & {_DISCLOSURES, _KB_JWT}):
            raise SDJWTError(
                "only the first signature of a JSON SD-JWT may carry disclosures or a kb_jwt"
            )
    for name in ("protected", "signature"):
        if type(entry.get(name)) is not str:
            raise SDJWTError(f"the JSON SD-JWT's signature has no {name!r} string")
    if type(obj.get("payload")) is not str:
        raise SDJWTError("the JSON SD-JWT has no 'payload' string")
    stripped = {k: v for k, v in header.items() if k not in (_DISCLOSURES, _KB_JWT)}
    signed = _with_header(obj, stripped)
    compact = f"{entry['protected']}.{obj['payload']}.{entry['signature']}"
    hash_input = "~".join([compact, *disclosures, ""])
    return Parts(JSON, signed, tuple(disclosures), kb_jwt, hash_input)


def _with_header(obj: Mapping[str, Any], header: dict[str, Any]) -> dict[str, Any]:
    """A copy of the JWS JSON object whose first signature has ``header`` (dropped if empty)."""
    out = dict(obj)
    if "signatures" in obj:
        first = dict(obj["signatures"][0])
        out["signatures"] = [first, *obj["signatures"][1:]]
    else:
        first = out
    if header:
        first["header"] = header
    else:
        first.pop("header", None)
    return out


def join(parts: Parts, disclosures: Sequence[str], kb_jwt: str | None) -> str:
    """Serialise the issuer-signed JWT of ``parts`` with ``disclosures`` and ``kb_jwt``."""
    if isinstance(parts.issuer_jwt, str):
        return "~".join([parts.issuer_jwt, *disclosures, kb_jwt or ""])
    entry = _first_entry(parts.issuer_jwt)
    header: dict[str, Any] = {**entry.get("header", {}), _DISCLOSURES: list(disclosures)}
    if kb_jwt is not None:
        header[_KB_JWT] = kb_jwt
    return dumps(_with_header(parts.issuer_jwt, header))


def hash_input_for(parts: Parts, disclosures: Sequence[str]) -> str:
    """What a KB-JWT's ``sd_hash`` covers for ``parts`` presented with ``disclosures``."""
    return "~".join([parts.compact_jwt(), *disclosures, ""])

"""What the adapters share: header values as the verifier takes them, and the error body."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import BearerError

__all__ = ["error_body", "joined", "missing_extra"]


def joined(values: Iterable[str]) -> str | None:
    """Several header lines as one value (RFC 9110 §5.3); ``None`` when there is none."""
    found = list(values)
    if not found:
        return None
    return found[0] if len(found) == 1 else ", ".join(found)


def error_body(error: BearerError) -> dict[str, Any]:
    """The JSON body of a refusal: the RFC 6750 code and the fixed description."""
    body: dict[str, Any] = {"error_description": error.description}
    if error.error is not None:
        body["error"] = error.error
    return body


def missing_extra(framework: str, extra: str) -> ImportError:
    """The ImportError of an adapter whose framework is not installed."""
    return ImportError(
        f"josekit.integrations.{extra} needs {framework}, which is not installed: "
        f"pip install 'josekit[{extra}]'"
    )

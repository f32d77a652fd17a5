"""What the adapters share: header values as the verifier takes them, and the error body."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from ..errors import BearerError

__all__ = ["FORM", "error_body", "form_access_token", "joined", "missing_extra"]

FORM = "application/x-www-form-urlencoded"
"""The only body from which RFC 6750 §2.2 lets a token come."""


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


def form_access_token(content_type: str | None, body: bytes) -> str | None:
    """The ``access_token`` values of a form-encoded body, joined; ``None`` if none/not a form.

    The verifier decides whether a token there is acceptable (by default it is refused).
    """
    if not content_type or content_type.split(";")[0].strip().lower() != FORM:
        return None
    try:
        pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, max_num_fields=1000)
    except (UnicodeDecodeError, ValueError):
        return None
    return joined(v for k, v in pairs if k == "access_token")

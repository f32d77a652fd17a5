"""The public surface of josekit.web and josekit.integrations."""

from __future__ import annotations

import importlib

import pytest

import josekit.web as web


def test_exported_names() -> None:
    assert sorted(web.__all__) == [
        "BearerVerifier",
        "ERROR_CODES",
        "MAX_CREDENTIALS",
        "Principal",
        "REFUSALS",
        "Refusal",
        "challenge",
        "metadata_url",
        "protected_resource_metadata",
    ]


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("josekit.integrations.fastapi", ["RequireToken"]),
        (
            "josekit.integrations.starlette",
            ["BearerAuthBackend", "BearerAuthenticationError", "TokenUser", "on_error"],
        ),
        ("josekit.integrations.flask", ["require_token"]),
        ("josekit.integrations.mcp", ["TokenVerifier"]),
    ],
)
def test_adapters_export_and_document_their_names(module: str, names: list[str]) -> None:
    loaded = importlib.import_module(module)
    assert sorted(loaded.__all__) == sorted(names)
    assert loaded.__doc__
    for name in names:
        assert getattr(loaded, name).__doc__, name


def test_every_public_name_is_documented() -> None:
    for name in web.__all__:
        value = getattr(web, name)
        if callable(value):
            assert value.__doc__, name

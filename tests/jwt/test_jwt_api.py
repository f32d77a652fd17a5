"""The public surface of josekit.jwt is pinned: adding or removing a name is deliberate."""

from __future__ import annotations

import inspect

import josekit
from josekit import jwt


def test_exported_names() -> None:
    assert sorted(jwt.__all__) == [
        "ACCESS_TOKEN_CLAIMS",
        "Duration",
        "ID_TOKEN_CLAIMS",
        "Instant",
        "NestedToken",
        "StringOrList",
        "Token",
        "UnsecuredToken",
        "decode",
        "decode_access_token",
        "decode_access_token_async",
        "decode_async",
        "decode_encrypted",
        "decode_encrypted_async",
        "decode_id_token",
        "decode_id_token_async",
        "decode_nested",
        "decode_nested_async",
        "decode_unsecured",
        "encode",
        "encode_async",
        "encode_encrypted",
        "encode_nested",
        "encode_nested_async",
        "encode_unsecured",
        "unverified_claims",
        "unverified_header",
    ]
    for name in jwt.__all__:
        assert getattr(jwt, name) is not None


def test_package_exports_jwt() -> None:
    assert "jwt" in josekit.__all__
    assert josekit.jwt is jwt


def test_public_functions_are_documented() -> None:
    for name in jwt.__all__:
        obj = getattr(jwt, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert obj.__doc__, name


def test_module_example_runs() -> None:
    import doctest

    result = doctest.testmod(jwt)
    assert result.attempted > 0
    assert result.failed == 0

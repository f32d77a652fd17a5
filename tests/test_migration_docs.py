"""The migration guides cover what a PyJWT / python-jose user looks for first (#17).

Their code blocks run in tests/test_docs.py; this pins that the topics stay on the pages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs" / "migration"


@pytest.mark.parametrize(
    ("page", "needles"),
    [
        (
            "pyjwt.md",
            [
                'algorithm="ES256"',  # PyJWT's keyword ...
                'jwt.encode(claims, key, "ES256")',  # ... and the positional alg
                "headers=",
                "header=",
                'options={"require"',
                "required=",
                '"verify_exp": False',
                "jws.verify(expired",  # an expired token's claims, after its signature
                "datetime.utcnow()",
                "key_set[kid]",
                "jwt.unverified_header(token)",
                "jwt.unverified_claims(token)",
            ],
        ),
        (
            "python-jose.md",
            ["access_token=access_token", "at_hash", "jwt.unverified_claims(token)"],
        ),
    ],
)
def test_migration_page_covers(page: str, needles: list[str]) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    missing = [needle for needle in needles if needle not in text]
    assert not missing, f"{page} lacks {missing}"

"""Every rule of RFC 9901 §7 and SECURITY-NOTES-2 §1, one refusal each."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sdjwt_helpers import (
    HOLDER_KEY,
    ISSUER,
    ISSUER_KEY,
    NONCE,
    NOW,
    OTHER_KEY,
    VERIFIER,
    bound_options,
    disclosure,
    options,
    sd_jwt,
    signed,
)

from josekit import jws, sdjwt
from josekit.errors import (
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
    SDJWTError,
)
from josekit.policy import Limits
from josekit.replay import MemoryReplayCache
from josekit.sdjwt import SD
from josekit.sdjwt._disclosure import digest

PUBLIC = ISSUER_KEY.public()


def _verify(presentation: str, **overrides: Any) -> sdjwt.VerifiedSDJWT:
    return sdjwt.verify(presentation, PUBLIC, **options(**overrides))


def _bound(**claims: Any) -> str:
    issued = sdjwt.issue(
        {"iss": ISSUER, "name": SD("Ada"), "email": SD("a@example.com"), **claims},
        ISSUER_KEY,
        "ES256",
        holder_key=HOLDER_KEY,
    )
    return issued


def _present(issued: str, **overrides: Any) -> str:
    kb: dict[str, Any] = {
        "holder_key": HOLDER_KEY,
        "alg": "ES256",
        "audience": VERIFIER,
        "nonce": NONCE,
        "iat": NOW,
    }
    kb.update(overrides)
    return sdjwt.present(issued, ["name"], **kb)


# -- the baseline: what the negative tests change ---------------------------------------------


def test_the_hand_made_sd_jwt_verifies_unchanged() -> None:
    name, name_digest = disclosure("salt-1", "name", "Ada")
    verified = _verify(sd_jwt({"iss": ISSUER, "_sd": [name_digest]}, name))
    assert verified.claims == {"iss": ISSUER, "name": "Ada"}


# -- digests and disclosures (rows 1-4) ---------------------------------------------------------


def test_a_digest_twice_is_refused() -> None:
    name, name_digest = disclosure("salt-1", "name", "Ada")
    twice = {"iss": ISSUER, "_sd": [name_digest], "inner": {"_sd": [name_digest]}}
    with pytest.raises(SDJWTError, match="more than once"):
        _verify(sd_jwt(twice, name))
    element, element_digest = disclosure("salt-2", "DE")
    both = {"iss": ISSUER, "_sd": [element_digest], "list": [{"...": element_digest}]}
    with pytest.raises(SDJWTError, match="more than once"):
        _verify(sd_jwt(both, element))


def test_a_decoy_digest_twice_is_refused() -> None:
    decoy = digest("not-a-disclosure", "sha-256")
    with pytest.raises(SDJWTError, match="more than once"):
        _verify(sd_jwt({"iss": ISSUER, "_sd": [decoy, decoy]}))


def test_a_disclosure_sent_twice_is_refused() -> None:
    name, name_digest = disclosure("salt-1", "name", "Ada")
    with pytest.raises(SDJWTError, match="more than once"):
        _verify(sd_jwt({"iss": ISSUER, "_sd": [name_digest]}, name, name))


def test_an_unreferenced_disclosure_is_refused() -> None:
    name, name_digest = disclosure("salt-1", "name", "Ada")
    extra, _ = disclosure("salt-2", "admin", True)
    with pytest.raises(SDJWTError, match="not referenced"):
        _verify(sd_jwt({"iss": ISSUER, "_sd": [name_digest]}, name, extra))


def test_a_disclosure_for_an_existing_claim_is_refused() -> None:
    forged, forged_digest = disclosure("salt-1", "iss", "https://attacker.example")
    with pytest.raises(SDJWTError, match="overwrite"):
        _verify(sd_jwt({"iss": ISSUER, "_sd": [forged_digest]}, forged))
    first, first_digest = disclosure("salt-2", "role", "user")
    second, second_digest = disclosure("salt-3", "role", "admin")
    with pytest.raises(SDJWTError, match="overwrite"):
        _verify(sd_jwt({"iss": ISSUER, "_sd": [first_digest, second_digest]}, first, second))


@pytest.mark.parametrize("name", ["_sd", "..."])
def test_a_reserved_claim_name_in_a_disclosure_is_refused(name: str) -> None:
    bad, bad_digest = disclosure("salt-1", name, ["x"])
    with pytest.raises(SDJWTError, match="reserved"):
        _verify(sd_jwt({"iss": ISSUER, "_sd": [bad_digest]}, bad))


def test_misused_ellipsis_is_refused() -> None:
    element, element_digest = disclosure("salt-1", "DE")
    extra_member = {"iss": ISSUER, "list": [{"...": element_digest, "x": 1}]}
    with pytest.raises(SDJWTError, match="placeholder"):
        _verify(sd_jwt(extra_member, element))
    with pytest.raises(SDJWTError, match=r"'\.\.\.'"):
        _verify(sd_jwt({"iss": ISSUER, "obj": {"...": element_digest}}, element))
    named, named_digest = disclosure("salt-2", "nationality", "DE")
    with pytest.raises(SDJWTError, match="array element"):
        _verify(sd_jwt({"iss": ISSUER, "list": [{"...": named_digest}]}, named))
    with pytest.raises(SDJWTError, match="array element"):
        _verify(sd_jwt({"iss": ISSUER, "_sd": [element_digest]}, element))


@pytest.mark.parametrize(
    "contents",
    [
        ("salt",),
        ("salt", "name", "value", "extra"),
        (1, "name", "value"),
        ("salt", 7, "value"),
    ],
)
def test_a_disclosure_of_the_wrong_shape_is_refused(contents: tuple[Any, ...]) -> None:
    bad, bad_digest = disclosure(*contents)
    with pytest.raises(SDJWTError, match="disclosure"):
        _verify(sd_jwt({"iss": ISSUER, "_sd": [bad_digest]}, bad))


def test_a_disclosure_that_is_not_base64url_json_is_refused() -> None:
    for bad in ("not base64!", "eyJhIjox", "WyJhIiwgImEiLCAiYSJdXQ"):
        with pytest.raises(SDJWTError, match="disclosure"):
            _verify(sd_jwt({"iss": ISSUER, "_sd": [digest(bad, "sha-256")]}, bad))


def test_sd_that_is_not_a_list_of_strings_is_refused() -> None:
    with pytest.raises(SDJWTError, match="_sd"):
        _verify(sd_jwt({"iss": ISSUER, "_sd": "abc"}))
    with pytest.raises(SDJWTError, match="digest"):
        _verify(sd_jwt({"iss": ISSUER, "_sd": [1]}))


# -- the hash algorithm (row 5) -----------------------------------------------------------------


def test_an_sd_alg_not_allowed_is_refused() -> None:
    name, _ = disclosure("salt-1", "name", "Ada")
    payload = {"iss": ISSUER, "_sd": [digest(name, "sha-512")], "_sd_alg": "sha-512"}
    with pytest.raises(SDJWTError, match="not allowed"):
        _verify(sd_jwt(payload, name))
    assert _verify(sd_jwt(payload, name), sd_algorithms=["sha-512"]).claims["name"] == "Ada"
    with pytest.raises(SDJWTError, match="not a hash algorithm"):
        _verify(sd_jwt(payload, name), sd_algorithms=["sha-256-32"])


def test_an_sd_alg_that_is_not_a_string_or_not_at_the_top_is_refused() -> None:
    with pytest.raises(SDJWTError, match="_sd_alg must be a string"):
        _verify(sd_jwt({"iss": ISSUER, "_sd_alg": ["sha-256"]}))
    with pytest.raises(SDJWTError, match="only at the top level"):
        _verify(sd_jwt({"iss": ISSUER, "inner": {"_sd_alg": "sha-256"}}))


# -- bounds (row 6) -----------------------------------------------------------------------------


def test_too_deep_recursion_is_refused() -> None:
    value: Any = "leaf"
    chain = []
    for level in range(20):
        encoded, encoded_digest = disclosure(f"salt-{level}", "down", value)
        chain.append(encoded)
        value = {"_sd": [encoded_digest]}
    with pytest.raises(SDJWTError, match="deeper"):
        _verify(sd_jwt({"iss": ISSUER, **value}, *chain))


def test_too_many_disclosures_are_refused() -> None:
    pairs = [disclosure(f"salt-{i}", f"c{i}", i) for i in range(6)]
    presentation = sd_jwt({"iss": ISSUER, "_sd": [d for _, d in pairs]}, *(e for e, _ in pairs))
    assert len(_verify(presentation).disclosures) == 6
    with pytest.raises(SDJWTError, match="max_disclosures"):
        _verify(presentation, limits=Limits(max_disclosures=5))


def test_too_many_digests_in_one_sd_are_refused() -> None:
    decoys = [digest(f"decoy-{i}", "sha-256") for i in range(9)]
    with pytest.raises(SDJWTError, match="max_sd_digests"):
        _verify(sd_jwt({"iss": ISSUER, "_sd": decoys}), limits=Limits(max_sd_digests=8))


def test_a_huge_presentation_is_refused_before_any_work() -> None:
    with pytest.raises(SDJWTError, match="max_token_size"):
        _verify("a~" * 600_000)


# -- key binding (rows 7-9) ---------------------------------------------------------------------


def test_the_bound_baseline_verifies() -> None:
    verified = sdjwt.verify(_present(_bound()), PUBLIC, **bound_options())
    assert verified.claims["name"] == "Ada"
    assert "email" not in verified.claims
    assert verified.holder_key is not None


def test_key_binding_required_but_absent_is_refused() -> None:
    bare = sdjwt.present(_bound(), ["name"])
    with pytest.raises(SDJWTError, match="no Key Binding JWT"):
        sdjwt.verify(bare, PUBLIC, **bound_options())


def test_key_binding_present_but_not_asked_for_is_refused() -> None:
    with pytest.raises(SDJWTError, match="require_key_binding=False"):
        sdjwt.verify(_present(_bound()), PUBLIC, **options())


def test_the_caller_always_says_whether_key_binding_is_required() -> None:
    bare = sdjwt.present(_bound(), ["name"])
    with pytest.raises(TypeError):
        sdjwt.verify(bare, PUBLIC, algorithms=["ES256"])  # type: ignore[call-arg]
    with pytest.raises(JoseError, match="True or False"):
        sdjwt.verify(bare, PUBLIC, **options(require_key_binding=None))
    with pytest.raises(JoseError, match="kb_nonce"):
        sdjwt.verify(bare, PUBLIC, **options(require_key_binding=True, kb_audience=VERIFIER))
    with pytest.raises(JoseError, match="need require_key_binding=True"):
        sdjwt.verify(bare, PUBLIC, **options(kb_nonce=NONCE))


def test_a_kb_jwt_with_a_wrong_sd_hash_is_refused() -> None:
    issued = _bound()
    presented = _present(issued)
    head, kb = presented.rsplit("~", 1)
    email = next(d.encoded for d in sdjwt.parse(issued).disclosures if d.name == "email")
    added = f"{head}~{email}~{kb}"
    with pytest.raises(SDJWTError, match="sd_hash"):
        sdjwt.verify(added, PUBLIC, **bound_options())
    jwt_only = presented.split("~")[0]
    removed = f"{jwt_only}~{kb}"
    with pytest.raises(SDJWTError, match="sd_hash"):
        sdjwt.verify(removed, PUBLIC, **bound_options())


def test_a_kb_jwt_for_another_audience_or_nonce_is_refused() -> None:
    presented = _present(_bound())
    with pytest.raises(SDJWTError, match="audience"):
        sdjwt.verify(
            presented,
            PUBLIC,
            **options(
                require_key_binding=True, kb_audience="https://other.example", kb_nonce=NONCE
            ),
        )
    with pytest.raises(SDJWTError, match="nonce"):
        sdjwt.verify(presented, PUBLIC, **bound_options(kb_nonce="another-nonce"))
    listed = _present(_bound(), audience=VERIFIER)
    assert sdjwt.verify(listed, PUBLIC, **bound_options()).kb_claims == {
        "iat": NOW,
        "aud": VERIFIER,
        "nonce": NONCE,
        "sd_hash": digest(listed[: listed.rindex("~") + 1], "sha-256"),
    }


def test_a_stale_or_future_kb_jwt_is_refused() -> None:
    presented = _present(_bound())
    assert sdjwt.verify(presented, PUBLIC, **bound_options(now=NOW + 300)).holder_key
    with pytest.raises(SDJWTError, match="stale"):
        sdjwt.verify(presented, PUBLIC, **bound_options(now=NOW + 301))
    with pytest.raises(SDJWTError, match="stale"):
        sdjwt.verify(presented, PUBLIC, **bound_options(now=NOW + 61, kb_max_age=60))
    with pytest.raises(SDJWTError, match="future"):
        sdjwt.verify(presented, PUBLIC, **bound_options(now=NOW - 1))
    assert sdjwt.verify(presented, PUBLIC, **bound_options(now=NOW - 5, leeway=5)).holder_key


def _kb_by_hand(issued: str, header: dict[str, Any], key: Any = HOLDER_KEY, **claims: Any) -> str:
    head = sdjwt.present(issued, ["name"])
    body = {
        "iat": NOW,
        "aud": VERIFIER,
        "nonce": NONCE,
        "sd_hash": digest(head, "sha-256"),
        **claims,
    }
    return head + jws.sign(json.dumps(body).encode(), key, "ES256", header=header)


def test_a_nonce_is_accepted_once_with_a_replay_cache() -> None:
    cache = MemoryReplayCache(clock=lambda: float(NOW))
    presented = _present(_bound())
    assert sdjwt.verify(presented, PUBLIC, **bound_options(kb_replay=cache)).holder_key
    with pytest.raises(SDJWTError, match="replay"):
        sdjwt.verify(presented, PUBLIC, **bound_options(kb_replay=cache))
    again = _present(_bound())  # a new KB-JWT, but with the nonce already used
    with pytest.raises(SDJWTError, match="replay"):
        sdjwt.verify(again, PUBLIC, **bound_options(kb_replay=cache))
    other = _present(_bound(), nonce="a-fresh-nonce")
    assert sdjwt.verify(
        other, PUBLIC, **bound_options(kb_replay=cache, kb_nonce="a-fresh-nonce")
    ).holder_key
    with pytest.raises(JoseError, match="kb_replay"):
        sdjwt.verify(sdjwt.present(_bound(), ["name"]), PUBLIC, **options(kb_replay=cache))


def test_a_kb_jwt_with_a_wrong_typ_is_refused() -> None:
    issued = _bound()
    assert sdjwt.verify(_kb_by_hand(issued, {"typ": "kb+jwt"}), PUBLIC, **bound_options())
    for typ in ("JWT", "KB+JWT", "application/kb+jwt"):
        with pytest.raises(SDJWTError, match="typ"):
            sdjwt.verify(_kb_by_hand(issued, {"typ": typ}), PUBLIC, **bound_options())
    with pytest.raises(SDJWTError, match="typ"):
        sdjwt.verify(_kb_by_hand(issued, {}), PUBLIC, **bound_options())


def test_a_kb_jwt_with_a_bad_iat_or_aud_is_refused() -> None:
    issued = _bound()
    with pytest.raises(SDJWTError, match="NumericDate"):
        sdjwt.verify(_kb_by_hand(issued, {"typ": "kb+jwt"}, iat=True), PUBLIC, **bound_options())
    with pytest.raises(SDJWTError, match="audience"):
        sdjwt.verify(
            _kb_by_hand(issued, {"typ": "kb+jwt"}, aud=[VERIFIER]), PUBLIC, **bound_options()
        )


def test_a_kb_jwt_signed_by_another_key_is_refused() -> None:
    issued = _bound()
    with pytest.raises(SDJWTError, match="Key Binding JWT was refused"):
        sdjwt.verify(_kb_by_hand(issued, {"typ": "kb+jwt"}, OTHER_KEY), PUBLIC, **bound_options())
    with pytest.raises(SDJWTError, match="not the key named"):
        _present(issued, holder_key=OTHER_KEY)


def test_a_kb_jwt_naming_its_own_key_in_the_header_is_still_checked_against_cnf() -> None:
    header = {"typ": "kb+jwt", "jwk": OTHER_KEY.public().to_dict()}
    forged = _kb_by_hand(_bound(), header, OTHER_KEY)
    with pytest.raises(SDJWTError, match="Key Binding JWT was refused"):
        sdjwt.verify(forged, PUBLIC, **bound_options())


def test_a_cnf_from_a_disclosure_does_not_bind() -> None:
    cnf, cnf_digest = disclosure("salt-1", "cnf", {"jwk": OTHER_KEY.public().to_dict()})
    head = sd_jwt({"iss": ISSUER, "_sd": [cnf_digest]}, cnf)
    body = {"iat": NOW, "aud": VERIFIER, "nonce": NONCE, "sd_hash": digest(head, "sha-256")}
    presented = head + jws.sign(
        json.dumps(body).encode(), OTHER_KEY, "ES256", header={"typ": "kb+jwt"}
    )
    with pytest.raises(SDJWTError, match=r"no cnf\.jwk"):
        sdjwt.verify(presented, PUBLIC, **bound_options())


def test_a_private_key_in_cnf_is_refused() -> None:
    payload = {"iss": ISSUER, "cnf": {"jwk": HOLDER_KEY.to_dict(private=True)}}
    head = sd_jwt(payload)
    body = {"iat": NOW, "aud": VERIFIER, "nonce": NONCE, "sd_hash": digest(head, "sha-256")}
    presented = head + jws.sign(
        json.dumps(body).encode(), HOLDER_KEY, "ES256", header={"typ": "kb+jwt"}
    )
    with pytest.raises(SDJWTError, match="public"):
        sdjwt.verify(presented, PUBLIC, **bound_options())


# -- the issuer JWT and the claims (rows 9-10) ------------------------------------------------


def test_an_issuer_jwt_from_another_issuer_is_refused() -> None:
    forged = sd_jwt({"iss": ISSUER}, key=OTHER_KEY)
    with pytest.raises(SDJWTError, match="issuer-signed JWT was refused"):
        _verify(forged)
    elsewhere = sd_jwt({"iss": "https://elsewhere.example"})
    with pytest.raises(InvalidClaimError) as caught:
        _verify(elsewhere)
    assert caught.value.claim == "iss"


def test_a_key_in_the_issuer_header_is_never_used() -> None:
    payload = json.dumps({"iss": ISSUER}).encode()
    header = {"typ": "example+sd-jwt", "jwk": OTHER_KEY.public().to_dict()}
    forged = jws.sign(payload, OTHER_KEY, "ES256", header=header) + "~"
    with pytest.raises(SDJWTError, match="issuer-signed JWT was refused"):
        _verify(forged)


def test_an_algorithm_not_allowed_is_refused() -> None:
    with pytest.raises(SDJWTError, match="issuer-signed JWT was refused"):
        _verify(sd_jwt({"iss": ISSUER}), algorithms=["EdDSA"])


def test_claim_failures_keep_their_claim_error() -> None:
    exp, exp_digest = disclosure("salt-1", "exp", NOW - 10)
    with pytest.raises(ExpiredTokenError):
        _verify(sd_jwt({"iss": ISSUER, "_sd": [exp_digest]}, exp))
    with pytest.raises(MissingClaimError):
        _verify(sd_jwt({"iss": ISSUER, "_sd": [exp_digest]}), required=["exp"])
    with pytest.raises(ExpiredTokenError):
        _verify(sd_jwt({"iss": ISSUER, "exp": NOW - 10}))


def test_the_expected_typ_is_checked() -> None:
    with pytest.raises(SDJWTError, match="typ"):
        _verify(sd_jwt({"iss": ISSUER}), typ="dc+sd-jwt")
    assert _verify(sd_jwt({"iss": ISSUER}), typ="application/example+sd-jwt").claims


def test_malformed_serializations_are_refused() -> None:
    jwt = signed({"iss": ISSUER})
    for bad in (jwt, f"{jwt}~~", f"~{jwt}~", "{}", '{"payload": "x"}', 7):
        with pytest.raises(SDJWTError):
            _verify(bad)  # type: ignore[arg-type]

"""The members every key type shares: ``kid``, ``alg``, ``use``, ``key_ops`` and the X.509 ones.

They are checked the same way whatever the ``kty`` (RFC 7517 §4), once, when a key is built.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from .._b64 import b64e_str
from .._text import a_an
from ._alg_keys import ALG_KEYS
from ._members import fail, text_b64
from ._row import KeyMaterial

__all__ = ["KEY_OPS", "OPS_FOR_USE", "check_meta", "check_x5c"]

KEY_OPS = frozenset(
    {"sign", "verify", "encrypt", "decrypt", "wrapKey", "unwrapKey", "deriveKey", "deriveBits"}
)
_SIG_OPS = frozenset({"sign", "verify"})
OPS_FOR_USE = {"sig": _SIG_OPS, "enc": KEY_OPS - _SIG_OPS}
"""The ``key_ops`` each ``use`` allows."""


# Algorithms whose key is a secret of any size (not in ALG_KEYS: their size follows enc, or
# the key is a passphrase).
_SECRET_ALGS = frozenset({"dir", "PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW"})


def check_alg_fit(alg: str, kty: str, crv: str | None) -> None:
    """Refuse an ``alg`` josekit knows that does not fit the key's type or curve.

    An ``alg`` josekit does not know is kept: such a key is never selected for a known
    algorithm, since a key's ``alg`` must equal the one it is used with.
    """
    row = ALG_KEYS.get(alg)
    if row is None:
        if alg in _SECRET_ALGS and kty != "oct":
            fail(f"alg {alg} takes a secret (oct) key, not {a_an(kty)} key")
        return
    on_curve = row.curves is not None and crv in row.curves  # ECDH-ES: EC or OKP curves
    if row.kty != kty and not on_curve:
        fail(
            f"alg {alg} takes {a_an(row.kty)} key, not {a_an(kty)} key: the JWK's 'alg' "
            "does not fit it"
        )
    if row.curves is not None and not on_curve:
        fail(
            f"alg {alg} takes a key on {' or '.join(dict.fromkeys(row.curves))}, not {crv}: "
            "the JWK's 'alg' does not fit it"
        )


def check_meta(meta: Mapping[str, Any], material: KeyMaterial) -> dict[str, Any]:
    """The checked non-key members of a key of ``material`` (``key_ops`` and ``x5c`` as tuples).

    Raises:
        InvalidKeyError: a member has the wrong type, or members contradict each other or
            the use the key's curve allows.
    """
    out: dict[str, Any] = {}
    for name in ("kid", "alg", "use", "x5u", "x5t", "x5t#S256"):
        if name in meta:
            value = meta[name]
            if not isinstance(value, str):
                fail(f"JWK member {name!r} must be a string")
            out[name] = value
    if "use" in out and out["use"] not in OPS_FOR_USE:
        fail(f"JWK 'use' must be 'sig' or 'enc', not {out['use']!r}")
    # An OKP curve does one job: Ed25519/Ed448 sign, X25519/X448 agree on keys.
    kty, crv, _, _, _, public_crypto, role, _ = material
    if "alg" in out and material[7] is None:  # a key bound to one alg checks it itself
        check_alg_fit(out["alg"], kty, crv)
    if role is not None and out.get("use", role) != role:
        fail(f"an {crv} key is for use {role!r}, but the JWK says use {out['use']!r}")
    for name, size in (("x5t", 20), ("x5t#S256", 32)):
        if name in out and len(text_b64(out[name], name)) != size:
            fail(f"JWK {name!r} must be the base64url of a {size}-byte certificate digest")
    if "key_ops" in meta:
        ops = meta["key_ops"]
        if not isinstance(ops, (list, tuple)) or not all(isinstance(o, str) for o in ops):
            fail("JWK member 'key_ops' must be an array of strings")
        if len(set(ops)) != len(ops):
            fail("JWK member 'key_ops' lists an operation twice")
        unknown = set(ops) - KEY_OPS
        if unknown:
            fail(f"JWK 'key_ops' has unknown operations {sorted(unknown)}")
        if "use" in out and not set(ops) <= OPS_FOR_USE[out["use"]]:
            fail(f"JWK 'use' {out['use']!r} contradicts its 'key_ops' {list(ops)}")
        if role is not None and not set(ops) <= OPS_FOR_USE[role]:
            fail(f"an {crv} key is for use {role!r}: its 'key_ops' {list(ops)} contradict that")
        out["key_ops"] = tuple(ops)
    if "x5c" in meta:
        chain = meta["x5c"]
        if (
            not isinstance(chain, (list, tuple))
            or not chain
            or not all(isinstance(c, str) for c in chain)
        ):
            fail("JWK member 'x5c' must be a non-empty array of base64 strings")
        if public_crypto is None:
            fail(f"an {kty!r} key cannot have an 'x5c' certificate chain")
        out["x5c"] = tuple(chain)
    return out


def check_x5c(public_crypto: Any, meta: Mapping[str, Any]) -> None:
    """RFC 7517 §4.7-4.9: every certificate parses, the first one holds this very key, and
    ``x5t``/``x5t#S256`` (when present) are digests of that first certificate.

    The chain is not validated against any trust anchor: ``x5c`` never makes a key trusted.
    """
    certificates = []
    for index, item in enumerate(meta["x5c"]):
        try:
            der = base64.b64decode(item, validate=True)
            certificates.append((der, x509.load_der_x509_certificate(der)))
        except ValueError:
            fail(
                f"JWK 'x5c' certificate {index} is not a base64 (standard alphabet, padded) "
                "DER X.509 certificate"
            )
    leaf_der, leaf = certificates[0]
    try:
        leaf_key = leaf.public_key()
    except (ValueError, UnsupportedAlgorithm):
        fail("the public key of the JWK 'x5c' first certificate is of an unsupported type")
    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        own = public_crypto.public_bytes(*spki)
    except (AttributeError, ValueError, TypeError, UnsupportedAlgorithm):
        # A hybrid KEM key (HPKE-9, HPKE-10) has no SubjectPublicKeyInfo: no certificate holds it.
        fail("this key type has no X.509 form: it cannot have an 'x5c' certificate chain")
    if leaf_key.public_bytes(*spki) != own:
        fail("JWK 'x5c' first certificate holds a different key than the JWK")
    for name, algo in (("x5t", "sha1"), ("x5t#S256", "sha256")):
        if name in meta and b64e_str(hashlib.new(algo, leaf_der).digest()) != meta[name]:
            fail(f"JWK {name!r} is not the digest of the 'x5c' first certificate")

"""Keys that never leave a PKCS#11 token (an HSM, SoftHSM2): ``pip install 'josekit[pkcs11]'``.

>>> from josekit.pkcs11 import Pkcs11Token                       # doctest: +SKIP
>>> token = Pkcs11Token("/usr/lib/softhsm/libsofthsm2.so", token_label="issuer",
...                     pin_env="HSM_PIN")                       # doctest: +SKIP
>>> key = token.generate("EC", crv="P-256", label="signing-2026")  # doctest: +SKIP
>>> jwt.encode({"sub": "alice"}, key, alg="ES256")               # doctest: +SKIP

A token key is a :class:`josekit.jwk.Key` whose private half the token holds (see
:func:`josekit.jwk.external_key`): it signs and decrypts wherever a private key is accepted,
and its private half can never be exported.
"""

from __future__ import annotations

from ._key import Pkcs11PrivateKey
from ._token import Pkcs11Token

__all__ = ["Pkcs11PrivateKey", "Pkcs11Token"]

"""Framework adapters over :class:`josekit.web.BearerVerifier`: thin translations, no rules.

* :mod:`josekit.integrations.fastapi`: ``RequireToken``, a dependency (``pip install
  'josekit[fastapi]'``);
* :mod:`josekit.integrations.starlette`: ``BearerAuthBackend`` for
  ``AuthenticationMiddleware`` (``pip install 'josekit[server]'``);
* :mod:`josekit.integrations.flask`: the ``require_token`` decorator (``josekit[flask]``);
* :mod:`josekit.integrations.django`: ``BearerAuthentication`` and ``HasScopes`` for Django
  REST framework (``josekit[django]``);
* :mod:`josekit.integrations.mcp`: ``TokenVerifier`` for the MCP Python SDK
  (``josekit[mcp]``).

Importing this package imports no framework; each module imports its own, and a missing one
raises an ImportError naming the extra to install.
"""

from __future__ import annotations

__all__: list[str] = []

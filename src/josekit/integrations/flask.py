"""Flask: the ``require_token`` decorator; the :class:`Principal` is in ``flask.g.principal``.

::

    from josekit.integrations.flask import require_token

    @app.get("/items")
    @require_token(verifier, scopes=["items:read"])
    def items():
        return {"user": g.principal.subject}

A refused request gets the verifier's status, a JSON body and ``WWW-Authenticate``; the view
does not run. Flask views are synchronous: give the verifier a ``RemoteKeySet`` (not the
async one). Needs ``pip install 'josekit[flask]'``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from ..errors import BearerError
from ..web import BearerVerifier
from ..web._challenge import scope_names
from ..web._verifier import sync_refused
from ._common import FORM, error_body, joined, missing_extra

try:
    import flask
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise missing_extra("Flask", "flask") from exc

__all__ = ["require_token"]

View = TypeVar("View", bound=Callable[..., Any])


def require_token(verifier: BearerVerifier, scopes: Iterable[str] = ()) -> Callable[[View], View]:
    """A view decorator that lets only requests with an acceptable access token through.

    Args:
        verifier: the :class:`~josekit.web.BearerVerifier` holding the rules.
        scopes: scopes the view requires, on top of the verifier's.

    Raises:
        JoseError: a scope is not a valid scope name, or the verifier holds an
            ``AsyncRemoteKeySet`` (Flask views are synchronous), when decorating.
    """
    if verifier.async_only:
        raise sync_refused("require_token()")
    needed = frozenset(scope_names(scopes))

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            request = flask.request
            headers = request.headers
            try:
                principal = verifier.verify(
                    joined(headers.getlist("Authorization")),
                    method=request.method,
                    url=request.url,
                    dpop=joined(headers.getlist("DPoP")),
                    form_token=(
                        joined(request.form.getlist("access_token"))
                        if request.mimetype == FORM
                        else None
                    ),
                )
                if needed:
                    verifier.require_scopes(principal, needed)
            except BearerError as error:
                response = flask.jsonify(error_body(error))
                response.status_code = error.status
                response.headers.update(error.headers)
                return response
            flask.g.principal = principal
            return view(*args, **kwargs)

        return cast(View, guarded)

    return decorate

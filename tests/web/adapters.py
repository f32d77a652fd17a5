"""One small protected API per framework, and a uniform way to call it.

(No `from __future__ import annotations` here: FastAPI reads the dependencies of the
routes from their annotations, which refer to local names.)

Every app has the same three routes: ``/items`` (any valid token; answers the subject and
scopes), ``/admin`` (needs scope ``admin``) and ``/down`` (its keys live on a server that is
down). ``send(path, headers)`` returns ``(status, headers, body)`` whatever the framework.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import httpx

from josekit.web import BearerVerifier, Principal

Reply = tuple[int, httpx.Headers, Any]
Send = Callable[..., Reply]
"""``send(path, headers, form=None)``: a GET, or a form-encoded POST when ``form`` is given."""


@dataclass
class Harness:
    """A running app: how to call it, and how to mint tokens its verifier accepts."""

    name: str
    send: Send
    sign: Callable[..., str]


def answer(principal: Principal) -> dict[str, Any]:
    return {"sub": principal.subject, "scopes": sorted(principal.scopes)}


def fastapi_app(verifier: BearerVerifier, down: BearerVerifier) -> Any:
    from fastapi import Depends, FastAPI, Security

    from josekit.integrations.fastapi import RequireToken

    app = FastAPI()
    require = RequireToken(verifier)
    require_down = RequireToken(down)

    @app.get("/items")
    @app.post("/items")
    async def items(principal: Annotated[Principal, Depends(require)]) -> dict[str, Any]:
        return answer(principal)

    @app.get("/admin")
    async def admin(
        principal: Annotated[Principal, Security(require, scopes=["admin"])],
    ) -> dict[str, Any]:
        return answer(principal)

    @app.get("/down")
    async def unavailable(
        principal: Annotated[Principal, Depends(require_down)],
    ) -> dict[str, Any]:
        return answer(principal)

    return app


def starlette_app(verifier: BearerVerifier, admin: BearerVerifier, down: BearerVerifier) -> Any:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.authentication import AuthenticationMiddleware
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Mount, Route

    from josekit.integrations.starlette import BearerAuthBackend, on_error

    async def endpoint(request: Request) -> JSONResponse:
        assert request.auth.scopes == sorted(request.user.principal.scopes)
        return JSONResponse(answer(request.user.principal))

    def guarded(v: BearerVerifier) -> Starlette:
        backend = BearerAuthBackend(v)
        middleware = [Middleware(AuthenticationMiddleware, backend=backend, on_error=on_error)]
        return Starlette(routes=[Route("/", endpoint)], middleware=middleware)

    return Starlette(
        routes=[
            Mount("/items", guarded(verifier)),
            Mount("/admin", guarded(admin)),
            Mount("/down", guarded(down)),
        ]
    )


def flask_app(verifier: BearerVerifier, down: BearerVerifier) -> Any:
    import flask

    from josekit.integrations.flask import require_token

    app = flask.Flask("josekit-test")

    @app.route("/items", methods=["GET", "POST"])
    @require_token(verifier)
    def items() -> Any:
        return answer(flask.g.principal)

    @app.get("/admin")
    @require_token(verifier, scopes=["admin"])
    def admin() -> Any:
        return answer(flask.g.principal)

    @app.get("/down")
    @require_token(down)
    def unavailable() -> Any:
        return answer(flask.g.principal)

    return app


def django_project(josekit: dict[str, Any], *, exception_handler: bool = False) -> Any:
    """The settings of the DRF project in ``django_app`` (call ``.enable()``/``.disable()``).

    Django is configured once per process; each test enables its own settings over it.
    """
    import django
    from django.conf import settings
    from django.test import override_settings

    if not settings.configured:
        settings.configure(INSTALLED_APPS=["rest_framework"], DATABASES={})
        django.setup()
    framework = {
        "DEFAULT_AUTHENTICATION_CLASSES": ["josekit.integrations.django.BearerAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["josekit.integrations.django.HasScopes"],
        "UNAUTHENTICATED_USER": None,
    }
    if exception_handler:
        framework["EXCEPTION_HANDLER"] = "josekit.integrations.django.exception_handler"
    return override_settings(
        DEBUG=False,
        ROOT_URLCONF="django_app",
        ALLOWED_HOSTS=["testserver"],
        REST_FRAMEWORK=framework,
        JOSEKIT=josekit,
    )

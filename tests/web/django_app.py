"""A Django REST framework project in one module (settings are configured by the test)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from josekit.integrations.django import BearerAuthentication, HasScopes
from josekit.web import BearerVerifier

VERIFIERS: dict[str, BearerVerifier] = {}


def make_verifier() -> BearerVerifier:
    """The factory that settings.JOSEKIT['VERIFIER'] names."""
    return VERIFIERS["main"]


def make_dpop_verifier() -> BearerVerifier:
    """The factory of the DPoP adapter tests (another name: get_verifier caches by name)."""
    return VERIFIERS["dpop"]


class DownAuthentication(BearerAuthentication):
    def get_verifier(self) -> BearerVerifier:
        return VERIFIERS["down"]


class Items(APIView):
    def get(self, request: Request) -> Response:
        principal = request.auth
        return Response({"sub": principal.subject, "scopes": sorted(principal.scopes)})

    post = get


class Admin(Items):
    required_scopes: ClassVar[list[str]] = ["admin"]


class Down(Items):
    authentication_classes: ClassVar[list[type]] = [DownAuthentication]


urlpatterns: list[Any] = [
    path("items", Items.as_view()),
    path("admin", Admin.as_view()),
    path("down", Down.as_view()),
]

__all__ = ["HasScopes", "make_dpop_verifier", "make_verifier", "urlpatterns"]

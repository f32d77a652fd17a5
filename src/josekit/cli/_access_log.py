"""An access log for the servers the CLI runs: one line per request on stderr."""

from __future__ import annotations

from typing import Any

import click

from ._failures import safe_text

__all__ = ["AccessLog"]


class AccessLog:
    """ASGI middleware: one line per request on stderr (method, path, status, ETag hit)."""

    def __init__(self, app: Any, write: Any = None) -> None:
        self.app = app
        self.write = write or (lambda line: click.echo(line, err=True))

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        asked = any(name == b"if-none-match" for name, _ in scope.get("headers", ()))
        status = [0]

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            etag = "hit" if status[0] == 304 else ("miss" if asked else "-")
            path = safe_text(scope.get("path", ""))[:200]
            self.write(f"{scope.get('method', '-')} {path} {status[0] or '-'} etag={etag}")

"""ASGI middleware that stands between the network and the routes: the bearer token, the body-size
limit and the response headers that keep the page's data out of other sites' reach.

They are plain ASGI so that they run before FastAPI parses anything: an unauthenticated or oversized
request never reaches a route, and the limits hold for every route, including ones added later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PAGE_COOKIE = "mt_page"
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


async def send_json(send: Send, status: int, body: dict, headers: list[tuple[bytes, bytes]] = ()) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": payload})


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value
    return None


def page_cookie_value(token: str) -> str:
    """What the page cookie holds: derived from the token, not the token, so a cookie that leaks
    (it never reaches JavaScript) does not open the API."""
    return hmac.new(token.encode(), b"misconduct-tagger review page", hashlib.sha256).hexdigest()


def _is_browser_path(path: str) -> bool:
    """What a browser fetches by navigating or through <script> and <link>, which cannot carry a header."""
    return path == "/" or path.startswith("/static/") or path in ("/docs", "/openapi.json", "/favicon.ico")


class TokenGuard:
    """Every request needs `Authorization: Bearer <token>`, compared in constant time.

    A browser cannot put a header on a navigation or on the page's <script> and <link> requests, so
    GET requests of the page, its static files and the API docs also pass with the page cookie. The
    cookie is set (HttpOnly, SameSite=Strict) when `/?token=<token>` is opened once; the page's
    script then keeps the token in sessionStorage, drops it from the address bar and sends it as the
    header on every API call. The API itself (/v1/..., /health) takes the header only, so another
    site can neither call it through the cookie nor read a report."""

    def __init__(self, app: ASGIApp, token: str):
        self.app = app
        self.bearer = b"Bearer " + token.encode()
        self.token = token.encode()
        self.cookie = page_cookie_value(token).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):  # lifespan: start-up and shut-down
            return await self.app(scope, receive, send)
        header = _header(scope, b"authorization") or b""
        if hmac.compare_digest(header, self.bearer):
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":  # none is served; refused all the same
            return await send({"type": "websocket.close", "code": 1008})
        path = scope.get("path", "")
        if scope.get("method") in ("GET", "HEAD") and _is_browser_path(path):
            if hmac.compare_digest(self._cookie(scope), self.cookie):
                return await self.app(scope, receive, send)
            if path == "/" and hmac.compare_digest(self._query_token(scope), self.token):
                return await self.app(scope, receive, self._setting_cookie(send))
        await send_json(send, 401, {"error": "unauthorized", "field": "Authorization",
                                    "message": "Authorization: this server needs the header Authorization: "
                                               "Bearer <token> (in a browser, open /?token=<token> once)"},
                        [(b"www-authenticate", b"Bearer")])

    def _cookie(self, scope: Scope) -> bytes:
        raw = _header(scope, b"cookie")
        if not raw:
            return b""
        try:
            morsel = SimpleCookie(raw.decode("latin-1")).get(PAGE_COOKIE)
        except CookieError:
            return b""
        return morsel.value.encode("latin-1", "replace") if morsel else b""

    @staticmethod
    def _query_token(scope: Scope) -> bytes:
        values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [])
        return values[0].encode("latin-1", "replace") if len(values) == 1 else b""

    def _setting_cookie(self, send: Send) -> Send:
        cookie = f"{PAGE_COOKIE}={self.cookie.decode()}; HttpOnly; SameSite=Strict; Path=/".encode()

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie)]
            await send(message)

        return wrapped


class BodyLimit:
    """Refuse (413) a body over `max_bytes`: at once from its Content-Length, or while reading it when
    the header is absent or lies. The body read is then handed on to the app."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                return await send_json(send, 400, {"error": "bad request", "field": "Content-Length",
                                                   "message": "Content-Length: not a number"})
            if size > self.max_bytes:
                return await self._too_large(send)
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                return await self._too_large(send)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        await send_json(send, 413, {"error": "payload too large", "field": "body",
                                    "message": f"body: over {self.max_bytes:,} bytes"},
                        [(b"connection", b"close")])


class SecurityHeaders:
    """Headers on every response: no caching of reports, no sniffing, no framing, no referrer; and on
    the page a content security policy that allows its own script and style only."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        page = scope.get("path") == "/" or scope.get("path", "").startswith("/static/")

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff"),
                         (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]
                if page:
                    extra.append((b"content-security-policy", PAGE_CSP.encode()))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, wrapped)

"""Access control: bearer tokens for the JSON API and the web page, a login cookie, park limits.

Outside ``env = "development"`` every request to the API (``/api/…``, ``/v1/…``) and to the web
page (``/``) must carry a token, either as ``Authorization: Bearer <token>`` or in the HttpOnly
cookie that signing in on the page ``/login`` sets (``POST /session``). Tokens are configured hashed (``auth.tokens``, the sha256 hex of
the token) so the settings file holds nothing that grants access; ``parkbot token create NAME``
makes one. Slack (``/slack/…``) and WeCom (``/wecom/…``) are not covered: they verify their own
request signatures. ``/healthz``, ``/readyz``, ``/metrics``, ``/docs``, ``/openapi.json``,
``/static/…``, the login page, ``/session`` and ``/logout`` stay open.

A token may be limited to some parks (``parks = ["SYN-001"]``; ``["*"]`` means every park) and
may or may not manage documents. Park-data routes use :func:`require_park_access` (a FastAPI
dependency reading the ``park_id`` path parameter) or :func:`check_parks` for ids in a body.

Cookie-authenticated requests that change something must come from the page itself: a cross-site
``Origin`` is refused (the cookie is also ``SameSite=Strict``).

The cookie holds a random session id, never the token (``bot/sessions.py``): the store keeps
the id's hash, and ``POST /logout`` deletes it, so a signed-out cookie stops working at once. The
session is looked up (in a worker thread) only on protected paths; a store that cannot answer
makes that request a 503, not a 500.

A request refused for a missing or invalid token (or session) counts against its client IP in the
rate-limit buckets of ``bot/http/limits.py``: guessing tokens gets 429 like any other flood.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from bot.errors import BadRequest, ParkBotError, StoreUnavailable, error_body
from bot.principal import DEVELOPMENT, Principal
from bot.settings import AuthSettings, TokenSpec
from bot.store import off_loop

log = logging.getLogger(__name__)

TOKEN_PREFIX = "pbt_"
PROTECTED_PREFIXES = ("/api/", "/v1/")
PROTECTED_EXACT = ("/", "/documents")


class Forbidden(ParkBotError):
    """The token is valid but does not allow this (another park, document management)."""

    code = "forbidden"
    status = 403


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random token (256 bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def auth_settings(settings: Any) -> AuthSettings:
    value = getattr(settings, "auth", None)
    if value is None:
        return AuthSettings()
    if isinstance(value, AuthSettings):
        return value
    return AuthSettings.model_validate(value.model_dump() if isinstance(value, BaseModel) else value)


def auth_required(settings: Any) -> bool:
    return getattr(settings, "env", "development") != "development"


class TokenBook:
    """The configured tokens; looks a presented token up by its hash in constant time."""

    def __init__(self, tokens: Iterable[TokenSpec]) -> None:
        self.tokens = list(tokens)

    def lookup(self, token: str | None) -> Principal | None:
        return self.by_digest(hash_token(token)) if token else None

    def by_digest(self, digest: str | None) -> Principal | None:
        """The principal of the configured token with this sha256 (a session's token), or None."""
        if not digest:
            return None
        found: TokenSpec | None = None
        for spec in self.tokens:  # compare against all so timing says nothing about which one
            if hmac.compare_digest(digest, spec.sha256):
                found = spec
        if found is None:
            return None
        return Principal(kind="token", name=found.name, parks=tuple(found.parks), manage_documents=found.manage_documents)


def _is_protected(path: str) -> bool:
    return path in PROTECTED_EXACT or path.startswith(PROTECTED_PREFIXES)


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return value.decode("latin-1")
    return None


def _cookie(scope: dict[str, Any], name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    for part in raw.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _bearer(scope: dict[str, Any]) -> str | None:
    value = _header(scope, b"authorization")
    if value and value[:7].lower() == "bearer ":
        return value[7:].strip()
    return None


def _same_origin(scope: dict[str, Any]) -> bool:
    origin = _header(scope, b"origin")
    if not origin:
        return True  # no Origin: not a cross-site fetch by a current browser (SameSite=Strict covers the rest)
    host = _header(scope, b"host") or ""
    return urlsplit(origin).netloc.lower() == host.lower()


class AuthMiddleware:
    """ASGI middleware: sets ``scope["state"]["principal"]`` or refuses with 401/403."""

    def __init__(self, app: Any, settings: Any) -> None:
        self.app = app
        self.required = auth_required(settings)
        self.config = auth_settings(settings)
        self.book = TokenBook(self.config.tokens)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self.required:  # development: no principal in the scope, routes see DEVELOPMENT
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        principal = self.book.lookup(_bearer(scope))
        via_cookie = False
        path = scope.get("path", "")
        session_id = _cookie(scope, self.config.cookie_name)
        if principal is None and session_id and _is_protected(path):
            try:
                principal = await off_loop(self._session_principal, scope, session_id)
            except StoreUnavailable as exc:
                await JSONResponse(status_code=exc.status, content=error_body(exc.code, str(exc)),
                                   headers={"Retry-After": str(exc.retry_after_s or 5)})(scope, receive, send)
                return
            via_cookie = principal is not None
        if principal is not None:
            state["principal"] = principal
        if _is_protected(path):
            if principal is None:
                await self._refuse(scope, receive, send)
                return
            if via_cookie and scope.get("method") not in ("GET", "HEAD", "OPTIONS") and not _same_origin(scope):
                response = JSONResponse(
                    status_code=403,
                    content=error_body("cross_site_request", "A request authenticated by the login cookie must come "
                                       "from ParkBot's own page; scripts use Authorization: Bearer <token>."),
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _session_principal(self, scope: dict[str, Any], session_id: str) -> Principal | None:
        sessions = getattr(getattr(scope["app"].state, "services", None), "sessions", None)
        return self.book.by_digest(sessions.token_of(session_id)) if sessions is not None else None

    async def _refuse(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        from bot.http.limits import count_refusal

        too_many = count_refusal(scope)  # refused credentials count against the IP like any other request
        if too_many is not None:
            await too_many(scope, receive, send)
            return
        accept = _header(scope, b"accept") or ""
        response: Response
        if scope.get("path") == "/" and "text/html" in accept:
            response = RedirectResponse("/login", status_code=303)
        else:
            response = JSONResponse(
                status_code=401,
                content=error_body(
                    "unauthorized",
                    "This ParkBot requires an access token: send 'Authorization: Bearer <token>' or sign in at "
                    "/login. Ask the administrator for a token (`parkbot token create NAME`).",
                ),
                headers={"WWW-Authenticate": 'Bearer realm="parkbot"'},
            )
        await response(scope, receive, send)


# -- dependencies for routes ---------------------------------------------------------------------


def current_principal(request: Request) -> Principal:
    """The caller (a FastAPI dependency). Development mode and apps without the middleware: all access."""
    principal = getattr(request.state, "principal", None)
    return principal if isinstance(principal, Principal) else DEVELOPMENT


def check_parks(request: Request, park_ids: Iterable[str]) -> None:
    """Raise 403 if the caller's token may not read one of ``park_ids``."""
    principal = current_principal(request)
    refused = sorted({p for p in park_ids if not principal.may_read_park(p)})
    if refused:
        raise Forbidden(
            f"token '{principal.name}' may not read park(s) {', '.join(refused)}; it is limited to "
            f"{', '.join(principal.parks)}. Ask the administrator to add the park to the token's `parks`.",
            code="park_forbidden",
        )


def require_park_access(park_id: str, request: Request) -> Principal:
    """Dependency for routes with a ``{park_id}`` path parameter: ``Depends(require_park_access)``."""
    check_parks(request, [park_id])
    return current_principal(request)


def visible_parks(request: Request, park_ids: Iterable[str]) -> list[str]:
    """The subset of ``park_ids`` the caller may see (for list endpoints such as GET /api/parks)."""
    principal = current_principal(request)
    return [p for p in park_ids if principal.may_read_park(p)]


def require_document_management(request: Request) -> Principal:
    """Dependency for routes that add or remove documents."""
    principal = current_principal(request)
    if not principal.manage_documents:
        raise Forbidden(
            f"token '{principal.name}' may not manage documents; set manage_documents = true for it in auth.tokens.",
            code="documents_forbidden",
        )
    return principal


# -- login page ------------------------------------------------------------------------------------

router = APIRouter(tags=["auth"])

_LOGIN_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
_LOGIN_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>ParkBot 登录</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}}
input,button{{font-size:1rem;width:100%;padding:.5rem;margin:.25rem 0;box-sizing:border-box}}
.err{{color:#b00020}}</style></head>
<body><h1>ParkBot</h1><p>请输入管理员发放的访问令牌 / Enter the access token you were given.</p>
{error}<form method="post" action="/session">
<label for="token">访问令牌 Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">登录 Sign in</button></form></body></html>"""


class LoginRequest(BaseModel):
    token: str = Field(min_length=1, max_length=512)


class LoginResponse(BaseModel):
    name: str
    parks: list[str]
    manage_documents: bool


def _login_page(error: str = "", status: int = 200) -> HTMLResponse:
    block = f'<p class="err" role="alert">{html.escape(error)}</p>' if error else ""
    return HTMLResponse(
        _LOGIN_PAGE.format(error=block),
        status_code=status,
        headers={"Content-Security-Policy": _LOGIN_CSP, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@router.get("/login", include_in_schema=False)
def login_page() -> HTMLResponse:
    return _login_page()


@router.post(
    "/session",
    response_model=LoginResponse,
    responses={
        303: {"description": "form sign-in: redirect to the page"},
        401: {"description": "the token is not valid", "content": {"application/json": {}, "text/html": {}}},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": LoginRequest.model_json_schema()},
                "application/x-www-form-urlencoded": {"schema": LoginRequest.model_json_schema()},
            },
        }
    },
)
async def login(request: Request) -> Response:
    """Sign in: check a token and set the HttpOnly session cookie (the /login form, or JSON ``{"token"}``)."""
    from bot.http.limits import read_json_body

    settings = request.app.state.auth_settings
    is_form = request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
    raw = await request.body()
    if is_form:
        token = (parse_qs(raw.decode("utf-8", "replace")).get("token") or [""])[0].strip()
    else:
        data = read_json_body(raw)
        if not isinstance(data, dict) or not isinstance(data.get("token"), str) or not data["token"].strip():
            raise BadRequest('token: send {"token": "<your token>"} as JSON or the login form.', code="invalid_request")
        raw_token = data["token"].strip()
        token = raw_token if len(raw_token) <= 512 else ""
    principal = TokenBook(settings.tokens).lookup(token)
    if principal is None:
        log.info("login refused")
        if is_form:
            return _login_page("令牌无效 / This token is not valid.", status=401)
        return JSONResponse(status_code=401, content=error_body("unauthorized", "This token is not valid."))
    log.info("login: %s", principal.name)
    session_id = await off_loop(request.app.state.services.sessions.create, hash_token(token), settings.cookie_max_age_s)
    response: Response
    if is_form:
        response = RedirectResponse("/", status_code=303)
    else:
        response = JSONResponse(LoginResponse(name=principal.name, parks=list(principal.parks),
                                              manage_documents=principal.manage_documents).model_dump())
    response.set_cookie(
        settings.cookie_name,
        session_id,
        max_age=settings.cookie_max_age_s,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
        path="/",
    )
    return response


@router.post("/logout", status_code=204, response_class=Response)
def logout(request: Request) -> Response:
    """Sign out: end the session on the server (the old cookie stops working) and clear the cookie."""
    name = request.app.state.auth_settings.cookie_name
    session_id = request.cookies.get(name)
    if session_id:
        request.app.state.services.sessions.end(session_id)
    response = Response(status_code=204)
    response.delete_cookie(name, path="/", httponly=True, samesite="strict")
    return response


def install(app: FastAPI, settings: Any) -> None:
    """Add the token check, the /login page, POST /session (sign in) and POST /logout. Refuses production without tokens."""
    config = auth_settings(settings)
    if auth_required(settings) and not config.tokens:
        raise ValueError(
            f"Refusing to start with env={settings.env} and no API tokens: create one with "
            "`parkbot token create NAME` and put the printed line under [auth] tokens "
            "(or PARKBOT_AUTH__TOKENS), or set PARKBOT_ENV=development for local use."
        )
    app.state.auth_settings = config
    app.include_router(router)
    app.add_middleware(AuthMiddleware, settings=settings)

"""The FastAPI application: app factory, lifespan and the one error handler."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.errors import domain_error_classes, error_body, http_status_for, is_domain_error
from bot.services import Services
from bot.settings import Settings, get_settings
from bot.store import off_loop
from bot.workers import answer_pools, drain

log = logging.getLogger(__name__)


def _routers() -> list:
    from bot.channels import web
    from bot.channels.api import chat, documents, feedback, health, openai_compat, scoring, search
    from bot.channels.slack import routes as slack
    from bot.channels.wecom import routes as wecom

    return [health.router, search.router, chat.router, openai_compat.router, scoring.router, feedback.router, documents.router, slack.router, wecom.router, web.router]


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Build the ParkBot app. Tests pass their own settings or a prepared ``Services``."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc = services or Services(settings)
        svc.warm_up()
        app.state.services = svc
        yield
        # answers the bots acknowledged are finished (within a bound) before the clients they use close
        await off_loop(drain, answer_pools(app), settings.server.drain_timeout_s)
        close = getattr(svc, "close", None)
        if close:
            close()

    app = FastAPI(
        title="ParkBot",
        description="Policy assistant for 国家高新区 staff. Scores are computed by ParkBot's documented "
        "method and are not official Torch Center results.",
        version="0.1.0",
        lifespan=lifespan,
    )
    if services is not None:  # available even before the lifespan runs (TestClient without `with`)
        app.state.services = services
    for router in _routers():
        app.include_router(router)
    _install_error_handlers(app)
    _install_middleware(app, settings)
    return app


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    """Access control, limits, readiness, metrics and request ids. The last installed runs outermost."""
    from bot.http import auth, limits, metrics, openapi, readiness, request_id

    limits.install(app, settings)  # needs the caller that auth identifies, so it runs inside auth
    auth.install(app, settings)  # refuses to start outside development without tokens
    readiness.install(app, settings)
    openapi.install(app, settings)
    metrics.install(app, settings)
    request_id.install(app, settings)


def _allowed_methods(request: Request) -> list[str]:
    from starlette.routing import Match

    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        route_methods = getattr(route, "methods", None)
        if match != Match.NONE and route_methods:
            methods |= set(route_methods)
    return sorted(methods)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            parts.append(f"{loc or 'body'}: {err.get('msg')}")
        return JSONResponse(status_code=422, content=error_body("invalid_request", "; ".join(parts)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:  # every method the path accepts, not only the first route's
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return JSONResponse(status_code=exc.status_code, content=error_body(code, str(exc.detail)), headers=headers)

    async def _domain(request: Request, exc: Exception) -> JSONResponse:
        status = http_status_for(exc)
        if status >= 500:
            log.error("error on %s: %s", request.url.path, exc)
        retry = getattr(exc, "retry_after_s", None)
        return JSONResponse(status_code=status, content=error_body(str(getattr(exc, "code", "error")), str(exc)),
                            headers={"Retry-After": str(retry)} if retry else None)

    for cls in domain_error_classes():
        app.add_exception_handler(cls, _domain)

    @app.exception_handler(Exception)
    async def _any(request: Request, exc: Exception) -> JSONResponse:
        if is_domain_error(exc):
            return await _domain(request, exc)
        log.exception("unhandled error on %s", request.url.path)
        return JSONResponse(
            status_code=500,
            content=error_body("internal_error", "ParkBot hit an internal error; the log has the details."),
        )

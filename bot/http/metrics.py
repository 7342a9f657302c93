"""GET /metrics and the middleware that times every request (the counters live in bot/metrics.py)."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.metrics import REGISTRY, record_bot_ack, record_bot_retry, record_request

router = APIRouter(tags=["health"])


@router.get("/metrics", include_in_schema=False)
def metrics_endpoint() -> Response:
    """Prometheus text exposition of this process's metrics."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def _route_template(scope: dict[str, Any]) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path:
        return str(path)
    return "unmatched"  # 404s and refusals before routing: never the raw path (unbounded labels)


def _bot_channel(path: str) -> str | None:
    if path.startswith("/slack/"):
        return "slack"
    if path.startswith("/wecom/"):
        return "wecom"
    return None


class MetricsMiddleware:
    """Times every HTTP request; counts bot acknowledgements and Slack retries."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        acked: float | None = None

        async def timed(message: dict[str, Any]) -> None:
            nonlocal status, acked
            if message["type"] == "http.response.start":
                status = int(message["status"])
                acked = time.perf_counter() - started
            await send(message)

        path = scope.get("path", "")
        channel = _bot_channel(path)
        if channel == "slack" and any(k == b"x-slack-retry-num" for k, _ in scope.get("headers") or ()):
            record_bot_retry("slack")
        try:
            await self.app(scope, receive, timed)
        finally:
            elapsed = time.perf_counter() - started
            record_request(scope.get("method", ""), _route_template(scope), status, elapsed)
            if channel and acked is not None and status < 400:
                record_bot_ack(channel, acked)


def install(app: FastAPI, settings: Any) -> None:
    """Serve /metrics and time every request (install after limits, auth and readiness)."""
    app.include_router(router)
    app.add_middleware(MetricsMiddleware)

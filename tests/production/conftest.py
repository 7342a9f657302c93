"""Apps for the production tests: the real create_app, real middleware, scripted answers.

``production_app`` builds the app with ``create_app(settings, services)`` and, if the lead has not
wired them into ``create_app`` yet, installs the ``bot.http`` modules in the documented order and
includes the API routers that exist (chat, search, feedback, OpenAI-compatible).
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from fastapi import FastAPI

from bot.http.auth import AuthSettings, hash_token
from bot.http.limits import LimitSettings
from bot.server import create_app
from bot.settings import Settings
from tests.support.fakes import CITATION, FakeAnswerServices

OPS_TOKEN = "pbt_ops-token-for-tests-0123456789"
PARK_TOKEN = "pbt_syn001-token-for-tests-0123456789"


class ProductionSettings(Settings):
    """Settings with the [auth] and [limits] groups (until bot/settings.py carries them)."""

    auth: AuthSettings = AuthSettings()
    limits: LimitSettings = LimitSettings()


def make_settings(tmp_path: Any, **overrides: Any) -> ProductionSettings:
    base: dict[str, Any] = {
        "store": {"url": f"sqlite:///{tmp_path}/store.db"},
        "paths": {"index_dir": str(tmp_path / "index")},
        "auth": {
            "tokens": [
                {"name": "ops", "sha256": hash_token(OPS_TOKEN), "manage_documents": True},
                {"name": "syn001", "sha256": hash_token(PARK_TOKEN), "parks": ["SYN-001"]},
            ]
        },
    }
    base.update(overrides)
    return ProductionSettings(**base)


class FakeSearcher:
    def run(self, query: str, k: int, filters: Any = None) -> Any:
        from types import SimpleNamespace

        hit = SimpleNamespace(
            model_dump=lambda include=None: {
                "chunk_id": CITATION.chunk_id, "doc": CITATION.doc, "title": CITATION.title,
                "section": CITATION.section, "text": CITATION.text, "score": 1.0,
            }
        )
        coverage = SimpleNamespace(model_dump=lambda include=None: {"covered": True, "score": 1.0, "threshold": 0.5})
        return SimpleNamespace(hits=[hit][:k], coverage=coverage)


class ProductionServices(FakeAnswerServices):
    """Real store, dedupe, feedback and answer path; scripted assistant and searcher; an index that 'has' chunks."""

    def __init__(self, settings: Any, index_chunks: int = 42, **kwargs: Any) -> None:
        super().__init__(settings, **kwargs)
        self.index_chunks = index_chunks
        self._searcher = FakeSearcher()

    @property
    def searcher(self) -> Any:  # type: ignore[override]
        return self._searcher

    def warm_up(self) -> None:
        pass

    def index_stats(self, *, refresh: bool = True) -> dict[str, int]:
        return {"documents": 5 if self.index_chunks else 0, "chunks": self.index_chunks}


def _has_middleware(app: FastAPI, name: str) -> bool:
    return any(getattr(m.cls, "__name__", "") == name for m in app.user_middleware)


def route_paths(routes: Any) -> set[str]:
    """Paths of every route, looking inside included routers (FastAPI may nest them)."""
    found: set[str] = set()
    for route in routes:
        if getattr(route, "path", ""):
            found.add(route.path)
        inner = getattr(getattr(route, "original_router", None), "routes", None) or getattr(route, "routes", None)
        if inner:
            found |= route_paths(inner)
    return found


def production_app(settings: Any, services: Any) -> FastAPI:
    """create_app plus whatever of bot.http the lead has not wired into it yet."""
    from bot.http import auth, limits, metrics, openapi, readiness, request_id

    app = create_app(settings, services)
    paths = route_paths(app.routes)
    for module in ("api.chat", "api.search", "api.feedback", "api.openai_compat", "web.routes"):
        try:
            router = importlib.import_module(f"bot.channels.{module}").router
        except Exception:  # a module another helper has not finished: test without it
            continue
        if not route_paths(router.routes) & paths:
            app.include_router(router)
    if not _has_middleware(app, "LimitsMiddleware"):
        limits.install(app, settings)
    if not _has_middleware(app, "AuthMiddleware"):
        auth.install(app, settings)
    if "/readyz" not in paths:
        readiness.install(app, settings)
    if not getattr(app.openapi, "__module__", "").startswith("bot.http"):
        openapi.install(app, settings)
    if not _has_middleware(app, "MetricsMiddleware"):
        metrics.install(app, settings)
    if not _has_middleware(app, "RequestIdMiddleware"):
        request_id.install(app, settings)
    return app


@pytest.fixture
def settings(tmp_path: Any) -> ProductionSettings:
    return make_settings(tmp_path, env="production")


@pytest.fixture
def services(settings: Any) -> ProductionServices:
    return ProductionServices(settings)

"""A ParkBot with the fake embedder, a temp index, store and uploads folder, and the documents API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.documents import DocumentService, service_for
from bot.server import create_app
from bot.services import Services
from tests.documents.kit import DocSettings, make_settings


def documents_app(settings: DocSettings, services: Services) -> FastAPI:
    """The real app; the documents and web routers are added if the lead has not wired them yet."""
    from bot.channels.api import documents
    from bot.channels.web import routes as web

    app = create_app(settings, services)
    paths = {getattr(r, "path", "") for r in app.routes}
    if "/api/documents" not in paths:
        app.include_router(documents.router)
    if "/static/{path:path}" not in paths:
        app.include_router(web.router)
    return app


@pytest.fixture
def settings(tmp_path: Path) -> DocSettings:
    return make_settings(tmp_path)


@pytest.fixture
def services(settings: DocSettings) -> Iterator[Services]:
    svc = Services(settings)
    yield svc
    svc.close()


@pytest.fixture
def service(services: Services) -> DocumentService:
    return service_for(services)


@pytest.fixture
def client(settings: DocSettings, services: Services) -> TestClient:
    return TestClient(documents_app(settings, services))

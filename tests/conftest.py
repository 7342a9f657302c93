"""Shared test configuration.

Sockets are disabled for every test (pytest-socket): a test that starts a local server marks
itself with ``@pytest.mark.enable_socket`` and binds 127.0.0.1 only.
"""

from __future__ import annotations

import os

import pytest

# Tests never read the developer's own settings file or environment.
for _key in [k for k in os.environ if k.startswith("PARKBOT_")]:
    del os.environ[_key]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("server"):
            item.add_marker(pytest.mark.enable_socket)

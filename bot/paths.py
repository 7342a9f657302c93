"""Where ParkBot finds its files.

The project root is the directory that holds ``config/default.toml``. It is found by walking
up from this file (editable installs and the Docker image keep the source tree), then from the
current directory. Settings may override every data path; this only supplies the defaults.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_MARKER = Path("config") / "default.toml"


@lru_cache(maxsize=1)
def project_root() -> Path:
    """Return the directory that holds ``config/default.toml``."""
    for start in (Path(__file__).resolve().parent, Path.cwd().resolve()):
        for candidate in (start, *start.parents):
            if (candidate / _MARKER).is_file():
                return candidate
    raise FileNotFoundError(
        "Cannot find config/default.toml. Run ParkBot from its project directory "
        "or install it with `pip install -e .` from a checkout."
    )


def resolve(path: str | Path) -> Path:
    """Resolve a path from the settings: absolute paths stay, relative ones hang off the root."""
    p = Path(path)
    return p if p.is_absolute() else project_root() / p

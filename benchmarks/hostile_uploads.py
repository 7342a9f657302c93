"""What a decompression bomb costs: memory and time to refuse each kind, measured in a fresh process.

Run: .venv/bin/python benchmarks/hostile_uploads.py [--mib 1024]
Each case runs in its own child process, so its peak resident memory (ru_maxrss) is its own;
the figures printed are the file size, what it inflates to, the outcome, the growth of the
peak RSS over the child's baseline (imports done), the tracemalloc peak and the time taken.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.bombs import docx_bomb, pdf_bomb, xlsx_bomb  # noqa: E402

CHILD = """
import json, resource, sys, time, tracemalloc
sys.path.insert(0, {root!r})
import docx, pypdf, openpyxl, pandas  # the parsers' imports are the baseline, not the bomb
from retrieval.loaders import load_file
from scoring.importing import read_park_records
from scoring.registry import load_registry
registry = load_registry()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
path = {path!r}
tracemalloc.start()
start = time.perf_counter()
try:
    read_park_records(path, registry) if path.endswith(".xlsx") else load_file(path)
    outcome = "loaded"
except Exception as exc:
    outcome = type(exc).__name__
seconds = time.perf_counter() - start
peak = tracemalloc.get_traced_memory()[1]
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
print(json.dumps({{"outcome": outcome, "rss_mib": grown / 1024, "traced_mib": peak / 2**20, "s": seconds}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=1024, help="what each bomb inflates to (MiB)")
    args = parser.parse_args()
    cases = [
        ("docx, honest directory", "bomb.docx", docx_bomb(args.mib), args.mib),
        ("docx, directory claims 1 MiB", "liar.docx", docx_bomb(args.mib, declared_mib=1), args.mib),
        ("xlsx park data", "bomb.xlsx", xlsx_bomb(args.mib), args.mib),
        ("pdf, one page", "bomb.pdf", pdf_bomb(args.mib), args.mib),
        ("pdf, 60 pages × 12 MiB of spaces", "pages.pdf", pdf_bomb(12, pages=60, unit=b" "), 12 * 60),
        ("pdf, one page of 1 MiB of text", "text.pdf", pdf_bomb(1), 1),
    ]
    print(f"{'case':32} {'file':>9} {'inflates':>9}  {'outcome':18} {'RSS +MiB':>9} {'traced MiB':>10} {'s':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, name, data, inflated in cases:
            path = Path(tmp) / name
            path.write_bytes(data)
            code = CHILD.format(root=str(ROOT), path=str(path))
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            got = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{label:32} {len(data) / 2**20:>7.2f}MB {inflated:>7}MiB  {got['outcome']:18} "
                  f"{got['rss_mib']:>9.1f} {got['traced_mib']:>10.1f} {got['s']:>6.2f}")


if __name__ == "__main__":
    main()

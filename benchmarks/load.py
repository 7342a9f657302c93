"""Bounded load test: N concurrent clients for T seconds against one ParkBot server, then stop.

    .venv/bin/python benchmarks/load.py                      # 50 clients, 30 s, /api/chat, own server
    .venv/bin/python benchmarks/load.py --clients 20 --seconds 10 --path /api/search
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:8000 --token pbt_…   # a running server

Without ``--url`` it starts ``parkbot serve`` itself on 127.0.0.1 and a free port (offline answer
mode, the index under ``paths.index_dir``; rate limiting switched off for the run, since one
client IP would otherwise be throttled), waits for /readyz, runs the load, stops the server.
Each client sends its next request as soon as the previous one is answered. Questions rotate
through a fixed list of policy questions. Prints requests, errors by kind, throughput and
p50/p95/p99/max latency; exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "外籍专家63岁还能办工作许可吗",
    "国家高新区评价指标体系有哪些一级指标",
    "创新型科技园区的认定条件是什么",
    "孵化器和众创空间有什么支持政策",
    "What does the 2020 State Council opinion say about talent?",
    "高新区如何开展绿色发展",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def body_for(path: str, i: int) -> dict:
    question = QUESTIONS[i % len(QUESTIONS)]
    if path == "/api/search":
        return {"query": question, "k": 5}
    return {"message": question, "mode": "answer"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


async def client(base: str, path: str, headers: dict, deadline: float, lat: list[float], errors: Counter, n: int) -> None:
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60.0) as http:
        i = n
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                if path in ("/healthz", "/readyz"):
                    resp = await http.get(path)
                else:
                    resp = await http.post(path, json=body_for(path, i))
                if resp.status_code != 200:
                    errors[f"HTTP {resp.status_code}"] += 1
                else:
                    lat.append(time.perf_counter() - started)
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] += 1
            i += 1


async def run(base: str, path: str, clients: int, seconds: float, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120.0) as http:  # warm-up request
        warm = await (http.get(path) if path in ("/healthz", "/readyz") else http.post(path, json=body_for(path, 0)))
        if warm.status_code != 200:
            print(f"warm-up request to {path} failed: HTTP {warm.status_code} {warm.text[:300]}")
            return 1
    lat: list[float] = []
    errors: Counter = Counter()
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(*(client(base, path, headers, deadline, lat, errors, n) for n in range(clients)))
    elapsed = time.monotonic() - started
    total = len(lat) + sum(errors.values())
    print(f"target      {base}{path}")
    print(f"clients     {clients} concurrent, {seconds:g} s")
    print(f"requests    {total} ({total / elapsed:.1f}/s)")
    print(f"errors      {sum(errors.values())}" + (f"  {dict(errors)}" if errors else ""))
    if lat:
        ms = [v * 1000 for v in lat]
        print(f"latency ms  p50 {percentile(ms, 50):.1f}  p95 {percentile(ms, 95):.1f}  p99 {percentile(ms, 99):.1f}  "
              f"max {max(ms):.1f}  mean {statistics.fmean(ms):.1f}")
    return 1 if errors or not lat else 0


def start_server(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "PARKBOT_ENV": "development",
        "PARKBOT_LLM__BACKEND": "offline",
        "PARKBOT_LIMITS__RATE_PER_MINUTE": "0",
        "PARKBOT_LOG_LEVEL": "WARNING",
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    cmd = [str(ROOT / ".venv" / "bin" / "parkbot"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_ready(base: str, proc: subprocess.Popen, timeout_s: float = 180.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("server did not become healthy in time")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server (default: start one on 127.0.0.1)")
    parser.add_argument("--path", default="/api/chat", help="/api/chat (default), /api/search or /healthz")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--token", help="bearer token when the server requires one")
    args = parser.parse_args()
    if args.url:
        return asyncio.run(run(args.url.rstrip("/"), args.path, args.clients, args.seconds, args.token))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(port)
    try:
        wait_ready(base, proc)
        return asyncio.run(run(base, args.path, args.clients, args.seconds, args.token))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    sys.exit(main())

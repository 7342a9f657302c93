"""ParkBot's Prometheus metrics and the functions the rest of ParkBot calls to count.

Served at ``GET /metrics`` by ``bot/http/metrics.py``; this module has no web framework in it.

=================================================  ==========================================
``parkbot_http_request_duration_seconds``          histogram by method, route template, status
``parkbot_http_rejections_total``                  refused requests by reason (rate_limited,
                                                   payload_too_large, message_too_long, …)
``parkbot_answers_total``                          answers by channel, mode, backend, grounded
``parkbot_refusals_total``                         answers that declined (not covered, guard …)
``parkbot_tool_calls_total``                       agent tool calls by tool and outcome
``parkbot_llm_request_duration_seconds``           LLM call latency by backend
``parkbot_llm_errors_total``                       LLM failures by backend and kind
``parkbot_bot_ack_duration_seconds``               time to acknowledge a Slack/WeCom delivery
``parkbot_bot_retries_total``                      redeliveries (Slack retries, duplicate ids)
=================================================  ==========================================

Each process keeps its own counts (one registry per process, not prometheus multiprocess
mode): run one uvicorn worker per container and let Prometheus scrape every replica.
Callers use the ``record_*``/``observe_*`` functions, never the metric objects.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    gc_collector,
    platform_collector,
    process_collector,
)

REGISTRY = CollectorRegistry(auto_describe=True)
process_collector.ProcessCollector(registry=REGISTRY)
platform_collector.PlatformCollector(registry=REGISTRY)
gc_collector.GCCollector(registry=REGISTRY)

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

_requests = Histogram(
    "parkbot_http_request_duration_seconds",
    "HTTP request latency by route template",
    ("method", "route", "status"),
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)
_rejections = Counter("parkbot_http_rejections_total", "Requests refused before a route ran", ("reason",), registry=REGISTRY)
_answers = Counter(
    "parkbot_answers_total", "Answers given", ("channel", "mode", "backend", "grounded"), registry=REGISTRY
)
_refusals = Counter("parkbot_refusals_total", "Answers that declined to answer", ("reason",), registry=REGISTRY)
_tool_calls = Counter("parkbot_tool_calls_total", "Agent tool calls", ("tool", "outcome"), registry=REGISTRY)
_llm_latency = Histogram(
    "parkbot_llm_request_duration_seconds", "LLM call latency", ("backend",), buckets=_LATENCY_BUCKETS, registry=REGISTRY
)
_llm_errors = Counter("parkbot_llm_errors_total", "LLM call failures", ("backend", "kind"), registry=REGISTRY)
_bot_acks = Histogram(
    "parkbot_bot_ack_duration_seconds",
    "Time to acknowledge a bot delivery",
    ("channel",),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
    registry=REGISTRY,
)
_bot_retries = Counter("parkbot_bot_retries_total", "Bot redeliveries received", ("channel",), registry=REGISTRY)


def record_request(method: str, route: str, status: int, seconds: float) -> None:
    _requests.labels(method, route, str(status)).observe(seconds)


def record_rejection(reason: str) -> None:
    _rejections.labels(reason).inc()


def record_answer(mode: str, backend: str, grounded: bool, channel: str) -> None:
    """One answer given through ``channel`` (api, openai, slack, wecom, wecom_aibot, cli, eval)."""
    _answers.labels(channel, mode, backend, "true" if grounded else "false").inc()


def record_refusal(reason: str) -> None:
    _refusals.labels(reason).inc()


def record_tool_call(tool: str, ok: bool = True) -> None:
    _tool_calls.labels(tool, "ok" if ok else "error").inc()


def observe_llm(backend: str, seconds: float) -> None:
    _llm_latency.labels(backend).observe(seconds)


def record_llm_error(backend: str, kind: str) -> None:
    """``kind``: timeout, connection, http_<status>, invalid_response …"""
    _llm_errors.labels(backend, kind).inc()


def record_bot_ack(channel: str, seconds: float) -> None:
    _bot_acks.labels(channel).observe(seconds)


def record_bot_retry(channel: str) -> None:
    _bot_retries.labels(channel).inc()


def sample(name: str, labels: dict[str, str] | None = None) -> float:
    """Current value of one sample (0.0 if absent); for tests and the load benchmark."""
    value = REGISTRY.get_sample_value(name, labels or {})
    return float(value or 0.0)

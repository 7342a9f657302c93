"""Make ``/openapi.json`` describe the errors ParkBot really sends, and the bearer token.

FastAPI documents a 422 ``HTTPValidationError`` body that ParkBot never sends (its handler answers
``{"error": {"code", "message"}}``) and knows nothing of the middleware's 400/401/413/429 or the
store's 503. This rewrites the generated schema once: every operation lists those responses with
the ``ErrorResponse`` shape, and API operations carry the ``bearer`` security scheme when tokens
are required. Clients generated from the schema and schemathesis then see the truth.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from bot.http.auth import PROTECTED_EXACT, PROTECTED_PREFIXES, auth_required
from bot.http.limits import limit_settings

ERROR_SCHEMA = {
    "title": "ErrorResponse",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "stable snake_case code, e.g. invalid_request"},
                "message": {"type": "string", "description": "what is wrong and how to fix it"},
            },
        }
    },
}
_REF = {"$ref": "#/components/schemas/ErrorResponse"}
_DESCRIPTIONS = {
    "400": "Bad input (invalid JSON or UTF-8, a value the service refuses)",
    "401": "Missing or invalid access token",
    "403": "The token may not do this (another park, document management)",
    "404": "Not found",
    "413": "Body or message too large",
    "422": "The body or a parameter does not match the schema",
    "429": "Rate limited; see Retry-After",
    "503": "A dependency (index, store, LLM endpoint, channel configuration) is not ready",
}


def _error_response(status: str) -> dict[str, Any]:
    return {"description": _DESCRIPTIONS[status], "content": {"application/json": {"schema": _REF}}}


def rewrite(schema: dict[str, Any], *, tokens_required: bool, rate_limited: tuple[str, ...]) -> dict[str, Any]:
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["ErrorResponse"] = ERROR_SCHEMA
    if tokens_required:
        components.setdefault("securitySchemes", {})["bearer"] = {"type": "http", "scheme": "bearer"}
    for path, item in schema.get("paths", {}).items():
        protected = path in PROTECTED_EXACT or path.startswith(PROTECTED_PREFIXES)
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            statuses = ["400", "404", "503"]  # 404: a named park, document or conversation may not exist
            if method in ("post", "put", "patch") or "parameters" in op:
                statuses.append("422")
            if method in ("post", "put", "patch"):
                statuses.append("413")
            if protected:
                statuses.append("403")
                if tokens_required:
                    statuses.append("401")
                    op["security"] = [{"bearer": []}]
            if path.startswith(rate_limited):
                statuses.append("429")
            for status in statuses:
                documented = responses.get(status, {}).get("content", {})
                responses[status] = _error_response(status)
                for media, body in documented.items():  # keep other media types a route declares
                    if media != "application/json":
                        responses[status]["content"][media] = body
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return schema


def install(app: FastAPI, settings: Any) -> None:
    """Rewrite the generated OpenAPI schema (once, on first request of /openapi.json)."""
    generate = app.openapi
    rate_limited = tuple(limit_settings(settings).rate_limited_prefixes)
    tokens_required = auth_required(settings)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = rewrite(generate(), tokens_required=tokens_required, rate_limited=rate_limited)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

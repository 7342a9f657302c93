"""Request checks shared by the JSON routes."""

from __future__ import annotations

from fastapi import Request

from bot.errors import BadRequest


def known_query_only(request: Request) -> None:
    """Refuse query parameters the route does not declare (a typo would otherwise be ignored)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    allowed = set(_query_names(dependant))
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise BadRequest(
            f"unknown query parameter(s) {', '.join(repr(u) for u in unknown)}; "
            f"this endpoint accepts: {', '.join(sorted(allowed)) or 'none'}",
            code="unknown_parameter",
        )


def _query_names(dependant) -> list[str]:  # type: ignore[no-untyped-def]
    names = [p.alias for p in dependant.query_params]
    for sub in dependant.dependencies:
        names.extend(_query_names(sub))
    return names

"""HTTP plumbing around the routes: access control, limits, request ids, metrics, readiness.

Each module offers ``install(app, settings)``; ``bot.server.create_app`` calls them in this order
(the last one installed is the outermost middleware)::

    limits.install      body size, message length, UTF-8 and per-token rate limits (needs the principal)
    auth.install        bearer token or login cookie → ``request.state.principal``; /login, /logout
    readiness.install   /readyz: the index is loaded and the store can take a write now
    openapi.install     the documented error shape and the bearer scheme in /openapi.json
    metrics.install     /metrics; latency of every request, including the ones refused above
    request_id.install  X-Request-ID on every response and in every log line
"""

"""Prometheus metrics: a pure ASGI middleware counting requests by route template, and the
`/metrics` endpoint.

`/metrics` is served on the app's own port, only to a bearer of `HAVEN_METRICS_TOKEN` (404
while none is set, so its existence is not advertised): a second port would need a second
server in every process and its own firewall rules, while a token works the same behind any
proxy and in any container. Each process answers for itself; scrape every process, not the
load balancer."""

import hashlib
import hmac
from time import perf_counter

from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    REGISTRY,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.registry import CollectorRegistry
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.kit.metrics import HTTP_LATENCY, HTTP_REQUESTS, WEBSOCKETS, count_webhook_delivery
from app.ratelimit.policy import Kind, kind_of
from app.rest.envelope import error_response
from app.services import Services
from app.web.gauges import scrape_readings

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"


def route_template(scope: Scope, status: int) -> str:
    """The template of the route that answered (`/api/v1/cases/{case_id}`), never the path.

    The router records its match in the scope; a request answered before routing (a 429) is
    matched here, while one that no route matched stays "unmatched"."""
    route = scope.get("route")
    if route is None and status != 404 and "app" in scope:
        route = next(
            (r for r in scope["app"].routes if r.matches(scope)[0] is not Match.NONE), None
        )
    return getattr(route, "path", None) or UNMATCHED


class HttpMetrics:
    """Counts and times HTTP requests, and counts open WebSockets; a few µs a request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # The labelled series, looked up once per (method, route, status) rather than per request.
        self.series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = perf_counter(), 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self._observe(scope, status, perf_counter() - started)

    def _observe(self, scope: Scope, status: int, seconds: float) -> None:
        method = scope["method"] if scope["method"] in METHODS else "other"
        key = (method, route_template(scope, status), status)
        series = self.series.get(key)
        if series is None:
            labels = (method, key[1], str(status))
            series = self.series[key] = (
                HTTP_REQUESTS.labels(*labels),
                HTTP_LATENCY.labels(*labels),
            )
        series[0].inc()
        series[1].observe(seconds)
        if status == 429 and kind_of(scope["path"]) is Kind.WEBHOOK:
            count_webhook_delivery("rate_limited")

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        accepted = False

        async def send_accept(message: Message) -> None:
            nonlocal accepted
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                WEBSOCKETS.inc()
            await send(message)

        try:
            await self.app(scope, receive, send_accept)
        finally:
            if accepted:
                WEBSOCKETS.dec()


def _same_token(sent: str, expected: str) -> bool:
    # Digests first, so the comparison takes as long whatever the lengths.
    return hmac.compare_digest(
        hashlib.sha256(sent.encode()).digest(), hashlib.sha256(expected.encode()).digest()
    )


def metrics_routes(services: Services) -> list[BaseRoute]:
    token = services.settings.metrics_token

    async def metrics(request: Request) -> Response:
        if token is None:
            return error_response(404, "NOT_FOUND", "Not found")
        scheme, _, sent = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not _same_token(sent.strip(), token):
            response = error_response(
                401, "UNAUTHORIZED", "Send the metrics token: Authorization: Bearer <token>"
            )
            response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
        per_scrape = CollectorRegistry(auto_describe=False)
        per_scrape.register(await scrape_readings(services))
        body = generate_latest(REGISTRY) + generate_latest(per_scrape)
        return Response(body, media_type=CONTENT_TYPE_PLAIN_0_0_4)

    return [Route("/metrics", metrics, methods=["GET"])]

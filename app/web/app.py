"""The ASGI application: GraphQL, health and the public signing keys."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from app.ai.rest import ai_routes
from app.cases.rest import case_routes
from app.connectors.rest import connector_routes
from app.connectors.routes import action_routes
from app.evidence.rest import evidence_routes
from app.graphql.metrics import count_operations
from app.intake.routes import intake_routes
from app.jobs.worker import Worker
from app.kit.settings import Settings, get_settings
from app.knowledge.rest import knowledge_routes
from app.knowledge.v1 import v1_article_routes
from app.outbound_webhooks.rest import webhook_endpoint_routes
from app.ratelimit.limiter import Limiter, make_storage
from app.referrals.rest import referral_routes
from app.rest.errors import exception_handlers
from app.rest.operations import routes
from app.services import Services
from app.tickets.rest import api_ticket_routes
from app.tickets.v1 import v1_routes
from app.web.authentication import AuthenticationMiddleware
from app.web.board_page import board_routes
from app.web.body_limit import GraphQLBodyLimit
from app.web.client_address import ClientAddressMiddleware
from app.web.graphiql import graphiql_routes
from app.web.graphql_app import HavenGraphQL
from app.web.health import HEALTH_OPERATIONS
from app.web.metrics import HttpMetrics, metrics_routes
from app.web.openapi import openapi_routes
from app.web.ratelimit import RateLimitMiddleware
from app.web.readiness import readiness_routes
from app.web.request_id import RequestIdMiddleware
from app.web.unavailable import UnavailableMiddleware
from app.webhooks.batcher import IngestBatcher
from app.webhooks.rest import webhook_routes
from app.widgets.rest import widget_routes
from app.workflows.rest import workflow_routes


def settle_garbage_collector() -> None:
    """Move everything loaded at startup out of the collector's reach and collect less often.

    A request allocates many short-lived objects; with the default thresholds they trigger full
    collections every few requests, each walking the ~130k long-lived objects of the loaded
    modules, which showed up as 70-160 ms pauses in the slowest requests."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def create_app(settings: Settings | None = None, services: Services | None = None) -> Starlette:
    """Build the app; it owns (and closes) its services unless they are handed in."""
    settings = settings or (services.settings if services else get_settings())
    owned = services is None
    services = services or Services.start(settings)
    if services.settings is not settings:
        # Handed-in services (database, signer) serve this app under the settings it was given,
        # with rate-limit counters kept where those settings say.
        limiter = Limiter(make_storage(settings.redis_url))
        services = replace(services, settings=settings, limiter=limiter)

    async def jwks(request: Request) -> JSONResponse:
        return JSONResponse(
            services.signer.jwks(), headers={"Cache-Control": "public, max-age=300"}
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        settle_garbage_collector()
        live = not services.hub.started
        if live:
            await services.open()
        worker = Worker(services) if settings.inline_worker else None
        if worker:
            worker.start()
        yield
        await batcher.stop()
        if worker:
            await worker.close()
        if owned:
            await services.close()
        elif live:
            await services.shut_live()

    graphql = HavenGraphQL(services)
    count_operations(graphql.schema)
    batcher = IngestBatcher(services)
    app = Starlette(
        routes=[
            *routes(HEALTH_OPERATIONS),
            *readiness_routes(services),
            Route("/.well-known/jwks.json", jwks, methods=["GET"]),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            *openapi_routes(),
            *board_routes(),
            *graphiql_routes(settings),
            # Before v1_routes, whose catch-all answers every other /v1 path.
            *v1_article_routes(),
            *v1_routes(),
            *knowledge_routes(),
            *ai_routes(),
            *api_ticket_routes(),
            *case_routes(),
            *evidence_routes(),
            *referral_routes(),
            *intake_routes(),
            *widget_routes(),
            *webhook_routes(),
            *connector_routes(),
            *webhook_endpoint_routes(),
            *workflow_routes(),
            *action_routes(),
            *metrics_routes(services),
        ],
        middleware=[
            # First of all, so logs, limits, custody and audit see the client, not its proxy.
            Middleware(ClientAddressMiddleware, trusted=settings.trusted_proxies),
            # Outside all that can answer: every response, refusals too, has an id and is counted.
            Middleware(RequestIdMiddleware),
            Middleware(HttpMetrics),
            # Outside everything that reads the database (rate limiting looks callers up).
            Middleware(UnavailableMiddleware),
            # Once per request, for all that follows: the body limit, rate limits and routes.
            Middleware(AuthenticationMiddleware, services=services),
            # Before rate limiting, which reads GraphQL bodies to price them.
            Middleware(GraphQLBodyLimit, services=services),
            Middleware(RateLimitMiddleware, services=services),
        ],
        # Expected failures of every REST route answer in the envelope, mapped here once.
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.webhook_batcher = batcher
    return app

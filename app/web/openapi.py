"""The OpenAPI 3.1 document of the REST shim, served at /api/openapi.json: generated from the
operations tables and their models where a route group has them, and built from the same enums
and limits the handlers check against for the rest."""

import functools
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app import __version__
from app.ai.rest import AI_OPERATIONS
from app.cases.rest import CASE_OPERATIONS
from app.connectors.rest import CONNECTOR_OPERATIONS
from app.connectors.routes import ACTION_OPERATIONS
from app.evidence.rest import EVIDENCE_OPERATIONS
from app.intake.routes import INTAKE_OPERATIONS
from app.knowledge.rest import KNOWLEDGE_OPERATIONS
from app.knowledge.v1 import V1_ARTICLE_OPERATIONS
from app.outbound_webhooks.rest import WEBHOOK_ENDPOINT_OPERATIONS
from app.referrals.rest import REFERRAL_OPERATIONS
from app.rest.openapi_schemas import (
    SECURITY_SCHEMES,
    shared_responses,
)
from app.rest.operations import components, paths
from app.rest.types import Error, Pagination
from app.tickets.rest import API_TICKET_OPERATIONS
from app.tickets.v1 import V1_OPERATIONS
from app.web.health import HEALTH_OPERATIONS
from app.webhooks.rest import WEBHOOK_OPERATIONS
from app.widgets.rest import REPORT_OPERATIONS
from app.workflows.rest import WORKFLOW_OPERATIONS

DOCUMENT_PATH = "/api/openapi.json"
# The operations whose bodies are typed models; their paths and schemas are generated.
OPERATIONS = [
    *HEALTH_OPERATIONS,
    *V1_OPERATIONS,
    *V1_ARTICLE_OPERATIONS,
    *API_TICKET_OPERATIONS,
    *CASE_OPERATIONS,
    *EVIDENCE_OPERATIONS,
    *REFERRAL_OPERATIONS,
    *REPORT_OPERATIONS,
    *INTAKE_OPERATIONS,
    *WEBHOOK_OPERATIONS,
    *CONNECTOR_OPERATIONS,
    *WEBHOOK_ENDPOINT_OPERATIONS,
    *ACTION_OPERATIONS,
    *KNOWLEDGE_OPERATIONS,
    *AI_OPERATIONS,
    *WORKFLOW_OPERATIONS,
]
TAGS = [
    ("health", "Liveness"),
    ("v1", "Ticket ingestion for servers holding an API key"),
    ("tickets", "Reading the tenant's tickets"),
    ("cases", "Safety cases and their workflow"),
    ("evidence", "Evidence preserved on cases, and its chain of custody"),
    ("referrals", "Referrals of cases to authorities, and their export"),
    ("webhooks", "Signed events from the tenant's platforms"),
    ("connectors", "Platforms that send events and receive actions"),
    ("webhook-endpoints", "Outbound webhooks: endpoints, deliveries and replays"),
    ("reports", "The embeddable report widget"),
    ("intake", "The public intake form and status portal"),
    ("knowledge", "Knowledge articles, their versions, and semantic search"),
    ("ai", "AI triage, drafts and procedures"),
    ("workflows", "Automation on events, and the mandatory CSEA workflow"),
]


def document() -> dict[str, Any]:
    """A fresh copy of the document, for callers that want to inspect or change it."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Haven REST API",
            "version": __version__,
            "description": "The REST shim beside Haven's GraphQL API. Every failure is answered "
            'with `{"error": {"code", "message"}}`.',
        },
        "tags": [{"name": name, "description": text} for name, text in TAGS],
        "paths": {
            **paths(OPERATIONS),
        },
        "components": {
            "schemas": {
                # Generated from the operations' models, and the envelope every failure uses.
                **components(OPERATIONS, extra=[Error, Pagination]),
            },
            "responses": shared_responses(),
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


@functools.cache
def _encoded() -> bytes:
    return json.dumps(document(), separators=(",", ":")).encode()


async def openapi_json(request: Request) -> Response:
    return Response(
        _encoded(), media_type="application/json", headers={"Cache-Control": "public, max-age=300"}
    )


def openapi_routes() -> list[BaseRoute]:
    return [Route(DOCUMENT_PATH, openapi_json, methods=["GET"])]

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
from app.cases.rest import CASE_OPERATIONS
from app.rest.api_tickets import API_TICKET_OPERATIONS
from app.rest.openapi_connectors import CONNECTOR_SCHEMAS, connector_paths
from app.rest.openapi_evidence import EVIDENCE_SCHEMAS, evidence_paths
from app.rest.openapi_public import PUBLIC_SCHEMAS, public_paths
from app.rest.openapi_referrals import REFERRAL_SCHEMAS, referral_paths
from app.rest.openapi_schemas import (
    SECURITY_SCHEMES,
    V1_SCHEMAS,
    shared_responses,
)
from app.rest.openapi_tickets import ticket_paths
from app.rest.openapi_webhooks import WEBHOOK_SCHEMAS, webhook_paths
from app.rest.operations import components, paths
from app.rest.tickets import V1_OPERATIONS
from app.rest.types import Error, Pagination

DOCUMENT_PATH = "/api/openapi.json"
# The operations whose bodies are typed models; their paths and schemas are generated.
OPERATIONS = [*V1_OPERATIONS, *API_TICKET_OPERATIONS, *CASE_OPERATIONS]
TAGS = [
    ("health", "Liveness"),
    ("v1", "Ticket ingestion for servers holding an API key"),
    ("tickets", "Reading the tenant's tickets"),
    ("cases", "Safety cases and their workflow"),
    ("evidence", "Evidence preserved on cases, and its chain of custody"),
    ("referrals", "Referrals of cases to authorities, and their export"),
    ("webhooks", "Signed events from the tenant's platforms"),
    ("connectors", "Platforms that send events and receive actions"),
    ("reports", "The embeddable report widget"),
    ("intake", "The public intake form and status portal"),
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
            **ticket_paths(),
            **paths(OPERATIONS),
            **evidence_paths(),
            **referral_paths(),
            **webhook_paths(),
            **connector_paths(),
            **public_paths(),
        },
        "components": {
            "schemas": {
                **V1_SCHEMAS,
                **EVIDENCE_SCHEMAS,
                **REFERRAL_SCHEMAS,
                **WEBHOOK_SCHEMAS,
                **CONNECTOR_SCHEMAS,
                **PUBLIC_SCHEMAS,
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

"""/api/v1/evidence: a case's evidence in the API document's shape, and an item's content as
bytes. Every call is recorded in the chain of custody with the caller's address and client.
Callers send access tokens or API keys, as for /api/v1/tickets."""

import base64

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.auth.principal import Principal
from app.cases.bodies import CASE_ID, EVIDENCE_ID
from app.evidence.bodies import EvidenceItem, EvidencePage
from app.evidence.inputs import REASON_MAX, Origin
from app.evidence.service import Custody
from app.rest.envelope import invalid
from app.rest.openapi_schemas import (
    CURSOR_PARAMETER,
    LIMIT_PARAMETER,
    STRING,
    TOKEN_OR_KEY,
    Schema,
    id_parameter,
    refusal,
)
from app.rest.operations import JSONBody, Operation, Reply, routes
from app.rest.params import caller, limit, path_pk
from app.services import Services


def custody_for(request: Request, principal: Principal) -> Custody:
    """The caller's access to evidence, recorded as coming from this request's address."""
    services: Services = request.app.state.services
    host = request.client.host if request.client else None
    return Custody(services.db, principal, Origin.of(host, request.headers.get("user-agent")))


async def _custody(request: Request) -> Custody:
    return custody_for(request, await caller(request))


async def list_evidence(request: Request) -> Response:
    custody = await _custody(request)
    params = request.query_params
    raw_case = params.get("case_id")
    if not raw_case:
        raise invalid("case_id is required")
    case_id = path_pk(raw_case, "SafetyCase", "Safety case")
    size, cursor = limit(params), params.get("cursor")
    listing = await custody.listing(case_id, size, cursor, params.get("reason"))
    data = [EvidenceItem.of(evidence) for evidence, _ in listing.page.items]
    return JSONBody(EvidencePage.of(data, listing.page, listing.total))


async def evidence_content(request: Request) -> Response:
    """The bytes, only once their SHA-256 matches the record; a reason is required."""
    custody = await _custody(request)
    pk = path_pk(request.path_params["evidence_id"], "EvidenceItem", "Evidence")
    store = request.app.state.services.evidence
    item, content = await custody.download(store, pk, request.query_params.get("reason"))
    digest = base64.b64encode(bytes.fromhex(item.sha256)).decode()
    headers = {
        # An attachment, never rendered: evidence can be harmful material.
        "Content-Disposition": f'attachment; filename="evi_{item.id}"',
        "Repr-Digest": f"sha-256=:{digest}:",
        "Digest": f"SHA-256={digest}",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(content, media_type=item.content_type, headers=headers)


def _reason(required: bool, description: str) -> Schema:
    return {
        "name": "reason",
        "in": "query",
        "required": required,
        "description": description,
        "schema": {"type": "string", "minLength": 1, "maxLength": REASON_MAX},
    }


# The content is bytes in the item's own media type, not JSON, so its answer is described here.
CONTENT: Schema = {
    "description": "The content as preserved, with its media type",
    "headers": {
        "Repr-Digest": {"description": "`sha-256=:<base64>:` of the content", "schema": STRING},
        "Digest": {"description": "`SHA-256=<base64>`, for older clients", "schema": STRING},
    },
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}

EVIDENCE_OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/evidence",
        list_evidence,
        "listEvidence",
        "evidence",
        "A case's evidence, oldest first. Every item listed is recorded in its chain of custody "
        "with the caller, time, address and client",
        TOKEN_OR_KEY,
        {200: Reply("One page of evidence", EvidencePage)},
        errors=(400, 401, 404, 429),
        parameters=[
            id_parameter("case_id", "SafetyCase", "case", CASE_ID, where="query"),
            CURSOR_PARAMETER,
            LIMIT_PARAMETER,
            _reason(False, "Why the list is read, recorded in custody"),
        ],
    ),
    Operation(
        "GET",
        "/api/v1/evidence/{evidence_id}/content",
        evidence_content,
        "downloadEvidence",
        "evidence",
        "An item's content, sent only once its SHA-256 matches the record; recorded in custody "
        "as a download. Viewers may not download content",
        TOKEN_OR_KEY,
        {},
        errors=(400, 401, 403, 404, 429),
        parameters=[
            id_parameter("evidence_id", "EvidenceItem", "item", EVIDENCE_ID),
            _reason(True, "Why the content is read, recorded in custody"),
        ],
        extra={
            "200": CONTENT,
            "409": refusal(
                "EVIDENCE_TAMPERED: the stored bytes no longer match the record; the attempt is "
                "recorded in custody",
                ["EVIDENCE_TAMPERED"],
                {"code": "EVIDENCE_TAMPERED", "message": "Evidence failed its integrity check"},
            ),
        },
    ),
]


def evidence_routes() -> list[BaseRoute]:
    return routes(EVIDENCE_OPERATIONS)

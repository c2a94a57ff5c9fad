"""/api/v1/evidence: a case's evidence in the API document's shape, and an item's content as
bytes. Every call is recorded in the chain of custody with the caller's address and client.
Callers send access tokens or API keys, as for /api/v1/tickets."""

import base64

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from app.auth.principal import Principal
from app.custody.inputs import Origin
from app.custody.service import Custody
from app.custody.views import evidence_item
from app.rest.envelope import endpoint, invalid
from app.rest.params import caller, limit, list_body, path_pk
from app.services import Services


def custody_for(request: Request, principal: Principal) -> Custody:
    """The caller's access to evidence, recorded as coming from this request's address."""
    services: Services = request.app.state.services
    host = request.client.host if request.client else None
    return Custody(services.db, principal, Origin.of(host, request.headers.get("user-agent")))


async def _custody(request: Request) -> Custody:
    return custody_for(request, await caller(request))


@endpoint
async def list_evidence(request: Request) -> Response:
    custody = await _custody(request)
    params = request.query_params
    raw_case = params.get("case_id")
    if not raw_case:
        raise invalid("case_id is required")
    case_id = path_pk(raw_case, "SafetyCase", "Safety case")
    size, cursor = limit(params), params.get("cursor")
    listing = await custody.listing(case_id, size, cursor, params.get("reason"))
    data = [evidence_item(e) for e, _ in listing.page.items]
    return JSONResponse(list_body(data, listing.page, listing.total))


@endpoint
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


def evidence_routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/evidence", list_evidence, methods=["GET"]),
        Route("/api/v1/evidence/{evidence_id}/content", evidence_content, methods=["GET"]),
    ]

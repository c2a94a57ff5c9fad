"""/api/v1/cases: the case list, one case in full, and status changes, as the API document
describes them. Callers send access tokens or API keys, as for /api/v1/tickets."""

import uuid
from collections import Counter, defaultdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from app.cases import service, views
from app.cases.access import require_write
from app.cases.models import CaseStatus, CaseType, Referral, SafetyCase
from app.cases.repository import CaseFilter, CaseRepository
from app.custody.repository import EvidenceRepository
from app.custody.rest import custody_for
from app.custody.views import case_evidence
from app.kit.errors import NotFound
from app.kit.pagination import MAX_PAGE
from app.rest.envelope import endpoint, invalid, json_object
from app.rest.params import caller, choice, limit, list_body, path_pk
from app.services import Services


def case_pk(raw: str) -> uuid.UUID:
    """A case's global id (`cas_<uuid>`) or its bare UUID; anything else is not found."""
    return path_pk(raw, "SafetyCase", "Case")


async def _related(
    cases: CaseRepository, rows: list[SafetyCase]
) -> tuple[dict[uuid.UUID, list[uuid.UUID]], dict[uuid.UUID, Referral]]:
    """Each case's linked ticket ids and latest referral, in one query each for the page."""
    ids = [case.id for case in rows]
    tickets: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for link in await cases.ticket_links(ids):
        tickets[link.case_id].append(link.ticket_id)
    referrals = {referral.case_id: referral for referral in await cases.referrals(ids)}
    return tickets, referrals


@endpoint
async def list_cases(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    params = request.query_params
    where = CaseFilter(
        status=choice(params, "status", CaseStatus),
        case_type=choice(params, "caseType", CaseType),
    )
    size, cursor = limit(params), params.get("cursor")
    async with services.db.read() as session:
        cases = service.cases_of(session, principal)
        page = await cases.page(where, size, cursor)
        total = await cases.count(where)
        rows = [case for case, _ in page.items]
        tickets, referrals = await _related(cases, rows)
        # Counting items reads no evidence, so it is not a custody event; listing them is.
        counts = Counter(
            item.case_id
            for item in await EvidenceRepository(session, principal.tenant_id).of_cases(
                [case.id for case in rows]
            )
        )
    data = [
        views.summary(case, tickets[case.id], referrals.get(case.id), counts[case.id])
        for case in rows
    ]
    return JSONResponse(list_body(data, page, total))


@endpoint
async def show_case(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    pk = case_pk(request.path_params["case_id"])
    async with services.db.read() as session:
        cases = service.cases_of(session, principal)
        case = await cases.get(pk)
        if case is None:
            raise NotFound("Case")
        tickets, referrals = await _related(cases, [case])
        timeline = await cases.timelines([case.id])
    # The case's evidence is listed like GET /api/v1/evidence lists it: on the custody record.
    listing = await custody_for(request, principal).listing(case.id, MAX_PAGE, None)
    evidence = [case_evidence(found.item) for found, _ in listing.page.items]
    body = views.detail(case, tickets[case.id], referrals.get(case.id), timeline, evidence)
    return JSONResponse(body)


def _text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise invalid(f"{key} must be a string")
    return value


@endpoint
async def change_status(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    require_write(principal)
    pk = case_pk(request.path_params["case_id"])
    body = await json_object(request)
    status, reason = _text(body, "status"), _text(body, "reason")
    if status is None:
        raise invalid("status is required")
    async with services.db.transaction() as work:
        case, step = await service.transition_case(work.session, principal, pk, status, reason)
    return JSONResponse(views.transitioned(case, step.source.value))


def case_routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/cases", list_cases, methods=["GET"]),
        Route("/api/v1/cases/{case_id}", show_case, methods=["GET"]),
        Route("/api/v1/cases/{case_id}/status", change_status, methods=["PATCH"]),
    ]

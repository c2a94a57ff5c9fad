"""/api/v1/cases: the case list, one case in full, and status changes, as the API document
describes them. Callers send access tokens or API keys, as for /api/v1/tickets."""

import uuid
from collections import Counter, defaultdict

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.cases import service
from app.cases.access import require_write
from app.cases.bodies import (
    CASE_ID,
    CaseDetail,
    CasePage,
    CaseStatusChange,
    CaseStatusChanged,
    CaseSummary,
)
from app.cases.models import CaseStatus, CaseType, SafetyCase
from app.cases.repository import CaseFilter, CaseRepository
from app.cases.states import TransitionRefused
from app.evidence.repository import EvidenceRepository
from app.evidence.rest import custody_for
from app.kit.errors import NotFound
from app.kit.pagination import MAX_PAGE
from app.referrals.models import Referral
from app.rest.envelope import invalid
from app.rest.openapi_schemas import (
    CURSOR_PARAMETER,
    LIMIT_PARAMETER,
    TOKEN_OR_KEY,
    choice_parameter,
    id_parameter,
    refusal,
)
from app.rest.operations import JSONBody, Operation, Reply, read_body, routes
from app.rest.params import caller, choice, limit, path_pk
from app.services import Services

CASE_PATH_ID = id_parameter("case_id", "SafetyCase", "case", CASE_ID)


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
        CaseSummary.of(case, tickets[case.id], referrals.get(case.id), counts[case.id])
        for case in rows
    ]
    return JSONBody(CasePage.of(data, page, total))


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
    evidence = [found.item for found, _ in listing.page.items]
    body = CaseDetail.of(case, tickets[case.id], referrals.get(case.id), timeline, evidence)
    return JSONBody(body)


async def change_status(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    require_write(principal)
    pk = case_pk(request.path_params["case_id"])
    change: CaseStatusChange = await read_body(request, CaseStatusChange)
    if change.status is None:
        raise invalid("status is required")
    async with services.db.transaction() as work:
        case, step = await service.transition_case(
            work.session, principal, pk, change.status, change.reason
        )
    return JSONBody(CaseStatusChanged.of(case, step.source.value))


REFUSED = refusal(
    "The workflow refuses the change; the case is unchanged. Codes: "
    "INVALID_TRANSITION (no such step for this case), REFERRAL_REQUIRED (a CSEA case without a "
    "submitted referral), CASE_CLOSED (only an administrator reopens, to investigating), "
    "SAME_STATUS, UNKNOWN_STATUS, REASON_REQUIRED, REASON_TOO_LONG",
    [kind.code for kind in TransitionRefused.__subclasses__()],
    {
        "code": "REFERRAL_REQUIRED",
        "message": "A CSEA case can be closed only after a referral has been submitted",
    },
)

CASE_OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/cases",
        list_cases,
        "listCases",
        "cases",
        "The tenant's safety cases, newest first; CSEA cases only for safeguarding leads and "
        "administrators",
        TOKEN_OR_KEY,
        {200: Reply("One page of cases", CasePage)},
        errors=(400, 401, 429),
        parameters=[
            choice_parameter("status", CaseStatus, "Filter by status"),
            choice_parameter("caseType", CaseType, "Filter by case type"),
            CURSOR_PARAMETER,
            LIMIT_PARAMETER,
        ],
    ),
    Operation(
        "GET",
        "/api/v1/cases/{case_id}",
        show_case,
        "getCase",
        "cases",
        "A case with its tickets, evidence, referral and timeline",
        TOKEN_OR_KEY,
        {200: Reply("The case", CaseDetail)},
        errors=(401, 404, 429),
        parameters=[CASE_PATH_ID],
    ),
    Operation(
        "PATCH",
        "/api/v1/cases/{case_id}/status",
        change_status,
        "changeCaseStatus",
        "cases",
        "Move a case through its workflow, with a reason",
        TOKEN_OR_KEY,
        {200: Reply("The case moved", CaseStatusChanged)},
        errors=(400, 401, 403, 404, 413, 429),
        parameters=[CASE_PATH_ID],
        body=CaseStatusChange,
        body_example={
            "status": "escalated",
            "reason": "Confirmed CSEA material — escalating to safeguarding lead",
        },
        extra={"422": REFUSED},
    ),
]


def case_routes() -> list[BaseRoute]:
    return routes(CASE_OPERATIONS)

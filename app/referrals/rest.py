"""/api/v1 referrals: the list, drafting one from a case, moving it through its workflow, and
the export document. Callers send access tokens or API keys, as for /api/v1/cases."""

import uuid

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from app.cases.rest import CASE_PATH_ID, case_pk
from app.referrals import service
from app.referrals.bodies import (
    REFERENCE_NUMBER,
    REFERRAL_ID,
    SUMMARY_TEXT,
    NewReferral,
    ReferralCreated,
    ReferralExport,
    ReferralPage,
    ReferralStatusChange,
    ReferralStatusChanged,
    ReferralSummary,
)
from app.referrals.models import ReferralStatus
from app.referrals.states import ReferralRefused
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

REFERRAL_PATH_ID = id_parameter("referral_id", "Referral", "referral", REFERRAL_ID)
# What the workflow refuses a step with; a closed case refuses it too.
REFUSAL_CODES = sorted({kind.code for kind in ReferralRefused.__subclasses__()} | {"CASE_CLOSED"})


def referral_pk(raw: str) -> uuid.UUID:
    """A referral's global id (`ref_<uuid>`) or its bare UUID; anything else is not found."""
    return path_pk(raw, "Referral", "Referral")


async def list_referrals(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    params = request.query_params
    status = choice(params, "status", ReferralStatus)
    size, cursor = limit(params), params.get("cursor")
    async with services.db.read() as session:
        referrals = service.referrals_of(session, principal)
        page = await referrals.page(status, size, cursor, field="cursor")
        total = await referrals.count(status)
        rows = [referral for referral, _ in page.items]
        counts = await referrals.evidence_counts([row.id for row in rows])
    data = [ReferralSummary.of(row, counts.get(row.id, 0)) for row in rows]
    return JSONBody(ReferralPage.of(data, page, total))


async def create_referral(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    case_id = case_pk(request.path_params["case_id"])
    draft = (await read_body(request, NewReferral)).draft(case_id)
    async with services.db.transaction() as work:
        referral, count = await service.create_referral(work.session, principal, draft)
    return JSONBody(ReferralCreated.of(referral, count), status_code=201)


async def change_status(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    pk = referral_pk(request.path_params["referral_id"])
    change: ReferralStatusChange = await read_body(request, ReferralStatusChange)
    step = change.step()
    async with services.db.transaction() as work:
        before = await service.status_of(work.session, principal, pk)
        referral = await service.move(
            work.session,
            principal,
            pk,
            step,
            reason=change.reason,
            reference_number=change.reference_number,
        )
    return JSONBody(ReferralStatusChanged.of(referral, before))


async def export_referral(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    pk = referral_pk(request.path_params["referral_id"])
    async with services.db.transaction() as work:
        document = await service.export_document(work.session, principal, pk)
    return JSONBody(ReferralExport.model_validate(document))


REFERRAL_OPERATIONS = [
    Operation(
        "GET",
        "/api/v1/referrals",
        list_referrals,
        "listReferrals",
        "referrals",
        "The tenant's referrals, newest first; those of CSEA cases only for safeguarding leads "
        "and administrators",
        TOKEN_OR_KEY,
        {200: Reply("One page of referrals", ReferralPage)},
        errors=(400, 401, 429),
        parameters=[
            choice_parameter("status", ReferralStatus, "Filter by status"),
            CURSOR_PARAMETER,
            LIMIT_PARAMETER,
        ],
    ),
    Operation(
        "POST",
        "/api/v1/cases/{case_id}/referrals",
        create_referral,
        "createReferral",
        "referrals",
        "Draft a referral of a case (safeguarding leads and administrators); it carries all the "
        "case's preserved evidence",
        TOKEN_OR_KEY,
        {201: Reply("The draft referral", ReferralCreated)},
        errors=(400, 401, 403, 404, 409, 413, 429),
        parameters=[CASE_PATH_ID],
        body=NewReferral,
        body_example={"type": "nca", "urgency": "urgent", "summary": SUMMARY_TEXT},
        extra={
            "422": refusal(
                "INSUFFICIENT_EVIDENCE: a CSEA or NCA referral with no preserved evidence; "
                "CASE_CLOSED: the case is closed",
                ["CASE_CLOSED", "INSUFFICIENT_EVIDENCE"],
                {
                    "code": "INSUFFICIENT_EVIDENCE",
                    "message": "Preserve the case's evidence before referring it",
                },
            )
        },
    ),
    Operation(
        "PATCH",
        "/api/v1/referrals/{referral_id}/status",
        change_status,
        "changeReferralStatus",
        "referrals",
        "Move a referral through its workflow; frozen once submitted but for its acknowledgement",
        TOKEN_OR_KEY,
        {200: Reply("The referral moved", ReferralStatusChanged)},
        errors=(400, 401, 403, 404, 413, 429),
        parameters=[REFERRAL_PATH_ID],
        body=ReferralStatusChange,
        body_example={"status": "acknowledged", "reference_number": REFERENCE_NUMBER},
        extra={
            "422": refusal(
                "The workflow refuses the step; the referral is unchanged. Codes: "
                "INVALID_REFERRAL_TRANSITION, REFERRAL_LOCKED (submitted), SAME_PERSON_REVIEW "
                "(the author, or a key of theirs, cannot submit), REASON_REQUIRED, "
                "REASON_TOO_LONG, INVALID_REFERENCE_NUMBER",
                REFUSAL_CODES,
                {"code": "SAME_PERSON_REVIEW", "message": "Submitted by its author"},
            )
        },
    ),
    Operation(
        "GET",
        "/api/v1/referrals/{referral_id}/export",
        export_referral,
        "exportReferral",
        "referrals",
        "The document to submit to the authority (safeguarding leads and administrators; each "
        "export is audited)",
        TOKEN_OR_KEY,
        {200: Reply("The export document", ReferralExport)},
        errors=(401, 403, 404, 429),
        parameters=[REFERRAL_PATH_ID],
    ),
]


def referral_routes() -> list[BaseRoute]:
    return routes(REFERRAL_OPERATIONS)

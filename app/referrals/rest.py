"""/api/v1 referrals: the list, drafting one from a case, moving it through its workflow, and
the export document. Callers send access tokens or API keys, as for /api/v1/cases."""

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from app.cases.models import ReferralStatus, ReferralType, ReferralUrgency
from app.cases.rest import case_pk
from app.referrals import service, views
from app.referrals.states import Step
from app.rest.envelope import endpoint, invalid, json_object
from app.rest.params import caller, choice, limit, list_body, path_pk
from app.services import Services

# PATCH .../status names the status wanted; each is reached by exactly one step.
STEP_TO: dict[str, Step] = {
    ReferralStatus.PENDING_REVIEW: Step.SUBMIT_FOR_REVIEW,
    ReferralStatus.DRAFT: Step.RETURN_TO_DRAFT,
    ReferralStatus.SUBMITTED: Step.SUBMIT,
    ReferralStatus.ACKNOWLEDGED: Step.ACKNOWLEDGE,
    ReferralStatus.WITHDRAWN: Step.WITHDRAW,
}


def referral_pk(raw: str) -> uuid.UUID:
    """A referral's global id (`ref_<uuid>`) or its bare UUID; anything else is not found."""
    return path_pk(raw, "Referral", "Referral")


def _text(body: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None and required:
        raise invalid(f"{key} is required")
    if value is not None and not isinstance(value, str):
        raise invalid(f"{key} must be a string")
    return value


def _member(body: dict[str, Any], key: str, allowed: Any) -> Any:
    value = _text(body, key, required=True)
    if value not in {member.value for member in allowed}:
        raise invalid(f"{key} must be one of {', '.join(member.value for member in allowed)}")
    return allowed(value)


def _draft(case_id: uuid.UUID, body: dict[str, Any]) -> service.NewReferral:
    contact = body.get("contact_details")
    if contact is not None and not isinstance(contact, dict):
        raise invalid("contact_details must be a JSON object")
    return service.NewReferral(
        case_id=case_id,
        type=_member(body, "type", ReferralType),
        urgency=_member(body, "urgency", ReferralUrgency),
        summary=_text(body, "summary", required=True) or "",
        contact_details=contact,
    )


@endpoint
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
    data = [views.summary(row, counts.get(row.id, 0)) for row in rows]
    return JSONResponse(list_body(data, page, total))


@endpoint
async def create_referral(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    case_id = case_pk(request.path_params["case_id"])
    draft = _draft(case_id, await json_object(request))
    async with services.db.transaction() as work:
        referral, count = await service.create_referral(work.session, principal, draft)
    return JSONResponse(views.created(referral, count), status_code=201)


@endpoint
async def change_status(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    pk = referral_pk(request.path_params["referral_id"])
    body = await json_object(request)
    step = STEP_TO.get(_text(body, "status", required=True) or "")
    if step is None:
        raise invalid(f"status must be one of {', '.join(STEP_TO)}")
    reason, reference = _text(body, "reason"), _text(body, "reference_number")
    async with services.db.transaction() as work:
        before = await service.status_of(work.session, principal, pk)
        referral = await service.move(
            work.session, principal, pk, step, reason=reason, reference_number=reference
        )
    return JSONResponse(views.moved(referral, before))


@endpoint
async def export_referral(request: Request) -> Response:
    services: Services = request.app.state.services
    principal = await caller(request)
    pk = referral_pk(request.path_params["referral_id"])
    async with services.db.transaction() as work:
        document = await service.export_document(work.session, principal, pk)
    return JSONResponse(document)


def referral_routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/referrals", list_referrals, methods=["GET"]),
        Route("/api/v1/cases/{case_id}/referrals", create_referral, methods=["POST"]),
        Route("/api/v1/referrals/{referral_id}/status", change_status, methods=["PATCH"]),
        Route("/api/v1/referrals/{referral_id}/export", export_referral, methods=["GET"]),
    ]

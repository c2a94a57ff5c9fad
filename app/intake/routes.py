"""The public intake endpoint (JSON and the HTML form's post) and the form page."""

from email.message import EmailMessage
from typing import Any

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute

from app.intake import lookup_mailing, pages, portal, public, throttles
from app.intake.bodies import (
    LOOKUP_ACCEPTED,
    LOOKUP_EXAMPLE,
    LOOKUP_MESSAGE,
    SUBMIT_EXAMPLE,
    LookupAccepted,
    PortalLookup,
    PublicRequest,
    PublicSubmit,
    PublicSubmitted,
)
from app.intake.models import IntakeForm
from app.intake.requests import form_fields, is_form_post, services_of
from app.intake.submission import read_submission, summary
from app.kit.errors import NotFound, ValidationFailed
from app.mail.sender import deliver
from app.ratelimit.limiter import Decision
from app.rest.envelope import error_response, invalid, json_object
from app.rest.openapi_schemas import STRING, Schema
from app.rest.openapi_schemas import error_response as documented_error
from app.rest.operations import JSONBody, Operation, Reply, parse, routes
from app.services import Services

FORM_GONE = ["This form does not exist, or is no longer taking requests."]


def _mail(services: Services, messages: list[EmailMessage]) -> BackgroundTask | None:
    return BackgroundTask(deliver, services.settings, messages) if messages else None


def _throttled(decision: Decision | None) -> Response | None:
    if decision is None or decision.allowed:
        return None
    response = error_response(
        429,
        "RATE_LIMITED",
        f"This form takes at most {decision.policy.amount} requests a minute; "
        f"retry in {decision.reset} s",
    )
    response.headers["Retry-After"] = str(decision.reset)
    return response


# --- JSON -----------------------------------------------------------------------------------


def _json_lookup(services: Services, raw: dict[str, Any]) -> Response:
    asked: PortalLookup = parse(PortalLookup, raw)
    email = public.lookup_email(asked.email)
    response = JSONBody(LOOKUP_ACCEPTED, status_code=202)
    response.background = lookup_mailing.after_answer(services, email, asked.form_slug)
    return response


async def _json_submit(services: Services, raw: dict[str, Any]) -> Response:
    # The form is found first: its categories say what the fields may hold.
    form = await public.find_form(services, raw.get("form_slug"))
    if form is None:
        raise NotFound("Intake form")
    sent: PublicSubmit = parse(PublicSubmit, raw)
    entry, reading = read_submission(sent.as_form(), form)
    if entry is None:
        raise invalid(summary(reading))
    refused = _throttled(await throttles.charge_form(services, form.slug))
    if refused:
        return refused
    filed = await public.file_ticket(services, form, entry)
    response = JSONBody(PublicSubmitted.of(filed.ticket, filed.status_url), status_code=201)
    response.background = _mail(services, filed.mail)
    return response


async def _json(request: Request) -> Response:
    raw = await json_object(request)
    action = raw.get("action")
    if action == "lookup":
        return _json_lookup(services_of(request), raw)
    if action not in (None, "submit"):
        raise invalid('action must be "lookup", or left out to submit a ticket')
    return await _json_submit(services_of(request), raw)


# --- the HTML form --------------------------------------------------------------------------


async def _html_lookup(services: Services, fields: dict[str, str]) -> Response:
    try:
        email = public.lookup_email(fields.get("email"))
    except ValidationFailed as error:
        return pages.portal_page(fields.get("email", ""), error.message, status=400)
    response = pages.message_page("Check your email", [LOOKUP_MESSAGE])
    response.background = lookup_mailing.after_answer(services, email, fields.get("form_slug"))
    return response


async def _html_submit(services: Services, form: IntakeForm, fields: dict[str, str]) -> Response:
    if fields.get(pages.HONEYPOT, "").strip():
        # Answer a bot as if it had succeeded, so it learns nothing; nothing is filed.
        return pages.message_page("Thank you", ["Your request has been sent."])
    entry, reading = read_submission(fields, form)
    if entry is None:
        return pages.form_page(form, reading, status=400)
    decision = await throttles.charge_form(services, form.slug)
    if decision is not None and not decision.allowed:
        lines = [f"This form is busy. Please try again in {decision.reset} seconds."]
        response = pages.message_page("Too many requests", lines, status=429)
        response.headers["Retry-After"] = str(decision.reset)
        return response
    filed = await public.file_ticket(services, form, entry)
    # Post/Redirect/Get: reloading the confirmation never files the ticket twice.
    return RedirectResponse(
        f"/portal/tickets/{filed.token}?submitted=1",
        status_code=303,
        headers=pages.PAGE_HEADERS,
        background=_mail(services, filed.mail),
    )


async def _html(request: Request) -> Response:
    services = services_of(request)
    try:
        fields = await form_fields(request)
    except ValidationFailed as error:
        return pages.message_page("Request not accepted", [error.message], status=400)
    if fields.get("action") == "lookup":
        return await _html_lookup(services, fields)
    form = await public.find_form(services, fields.get("form_slug"))
    if form is None:
        return pages.message_page("Form not found", FORM_GONE, status=404)
    return await _html_submit(services, form, fields)


async def submit(request: Request) -> Response:
    """POST /functions/v1/public-ticket-submit: JSON, or the HTML form's urlencoded post."""
    return await (_html(request) if is_form_post(request) else _json(request))


async def intake_page(request: Request) -> Response:
    form = await public.find_form(services_of(request), request.path_params["slug"])
    if form is None:
        return pages.message_page("Form not found", FORM_GONE, status=404)
    return pages.form_page(form)


# --- the document ---------------------------------------------------------------------------

PAGE: Schema = {"text/html": {"schema": STRING}}


def _json_or_page(status: int, page: str) -> Schema:
    """The JSON envelope for JSON posts, an HTML page for the form's own posts."""
    response = documented_error(status)
    response["description"] += f"; form posts get {page}"
    response["content"].update(PAGE)
    return response


TICKET_LINK = {
    "GetTicketDetail": {
        "operationId": "getTicket",
        "parameters": {"ticket_id": "$response.body#/ticket_id"},
    }
}
INTAKE_OPERATIONS = [
    Operation(
        "POST",
        "/functions/v1/public-ticket-submit",
        submit,
        "publicTicketSubmit",
        "intake",
        "File a ticket through a public form, or look up tickets by email",
        [],
        {
            201: Reply("The ticket was filed", PublicSubmitted, links=TICKET_LINK),
            202: Reply(
                "Lookup accepted: links are mailed if the address has tickets. The answer is the "
                "same whatever the address",
                LookupAccepted,
            ),
        },
        errors=(413,),
        body=PublicRequest,
        body_examples={"submit": SUBMIT_EXAMPLE, "lookup": LOOKUP_EXAMPLE},
        body_also=("application/x-www-form-urlencoded",),
        description="JSON posts are answered in JSON; the HTML form's urlencoded posts (the same "
        "fields, plus a honeypot field people leave empty) are answered with pages and, once "
        "filed, a redirect to the ticket's status page.",
        extra={
            "200": {"description": "Form posts: a lookup or thank-you page", "content": PAGE},
            "303": {
                "description": "Form posts: filed; see the ticket's status page",
                "headers": {"Location": {"required": True, "schema": STRING}},
            },
            "400": _json_or_page(400, "the form again, with each mistake marked"),
            "404": _json_or_page(404, "a page saying the form does not exist"),
            "429": _json_or_page(429, "a page asking to retry"),
        },
    ),
    Operation(
        "GET",
        "/intake/{slug}",
        intake_page,
        "intakeForm",
        "intake",
        "The public intake form as an HTML page",
        [],
        {},
        errors=(429,),
        parameters=[{"name": "slug", "in": "path", "required": True, "schema": STRING}],
        extra={
            "200": {"description": "The form", "content": PAGE},
            "404": {"description": "No active form by that slug", "content": PAGE},
        },
    ),
]


def intake_routes() -> list[BaseRoute]:
    return [*routes(INTAKE_OPERATIONS), *portal.portal_routes()]

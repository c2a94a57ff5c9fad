"""The public intake endpoint (JSON and the HTML form's post) and the form page."""

from email.message import EmailMessage

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.intake import lookup_mailing, pages, portal, public, throttles
from app.intake.models import IntakeForm
from app.intake.requests import form_fields, is_form_post, services_of
from app.intake.submission import read_submission, summary
from app.kit.errors import NotFound, ValidationFailed
from app.mail.sender import deliver
from app.ratelimit.limiter import Decision
from app.rest.envelope import endpoint, error_response, invalid, json_object
from app.services import Services

LOOKUP_MESSAGE = "If we have tickets for this address, we have emailed a link to view them."
# The same answer whether or not the address has tickets: nobody can probe for requesters.
LOOKUP_ANSWER = {"success": True, "message": LOOKUP_MESSAGE}
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


@endpoint
async def _json(request: Request) -> Response:
    services = services_of(request)
    raw = await json_object(request)
    action = raw.get("action")
    if action == "lookup":
        email = public.lookup_email(raw.get("email"))
        task = lookup_mailing.after_answer(services, email, raw.get("form_slug"))
        return JSONResponse(LOOKUP_ANSWER, status_code=202, background=task)
    if action not in (None, "submit"):
        raise invalid('action must be "lookup", or left out to submit a ticket')
    form = await public.find_form(services, raw.get("form_slug"))
    if form is None:
        raise NotFound("Intake form")
    entry, reading = read_submission(raw, form)
    if entry is None:
        raise invalid(summary(reading))
    refused = _throttled(await throttles.charge_form(services, form.slug))
    if refused:
        return refused
    filed = await public.file_ticket(services, form, entry)
    body = {
        "success": True,
        "ticket_id": f"tkt_{filed.ticket.id}",
        "ticket_number": filed.ticket.number,
        "status_url": filed.status_url,
    }
    return JSONResponse(body, status_code=201, background=_mail(services, filed.mail))


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


def intake_routes() -> list[BaseRoute]:
    return [
        Route("/functions/v1/public-ticket-submit", submit, methods=["POST"]),
        Route("/intake/{slug}", intake_page, methods=["GET"]),
        *portal.portal_routes(),
    ]

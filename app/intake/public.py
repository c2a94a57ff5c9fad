"""What the public endpoint does, whether it was called with JSON or by the HTML form: file a
ticket through a form, or start a portal lookup."""

import logging
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from app.intake import lookup, mails, repository, service, throttles
from app.intake.models import IntakeForm
from app.intake.service import Submission
from app.kit import validation
from app.kit.errors import ValidationFailed
from app.services import Services
from app.tenants import repository as tenants
from app.tickets.models import Ticket

log = logging.getLogger(__name__)


@dataclass
class Filed:
    ticket: Ticket
    token: str
    status_url: str
    mail: list[EmailMessage] = field(default_factory=list)


def status_url(services: Services, token: str) -> str:
    return f"{services.settings.public_url.rstrip('/')}/portal/tickets/{token}"


async def find_form(services: Services, slug: Any) -> IntakeForm | None:
    """The active form `slug` names; whatever a JSON body sent as one (a number, nothing) that
    is no slug names no form."""
    if not isinstance(slug, str) or not slug.strip():
        return None
    async with services.db.read() as session:
        return await repository.active_form(session, slug.strip().lower())


async def file_ticket(services: Services, form: IntakeForm, entry: Submission) -> Filed:
    """Create the ticket and its status link in one transaction; the receipt is composed
    here and sent by the caller once the answer has gone out."""
    async with services.db.transaction() as work:
        ticket, token = await service.submit(work.session, form, entry)
        tenant = await tenants.get(work.session, form.tenant_id)
    assert tenant is not None, "a form's tenant exists while the form does"
    url = status_url(services, token)
    receipt = mails.receipt(
        services.settings, entry.email, ticket.number, ticket.title, url, tenant.name
    )
    return Filed(ticket, token, url, [receipt])


def lookup_email(raw: str | None) -> str:
    """The address to look up; VALIDATION_ERROR (with field) when missing or malformed."""
    if raw is None or not raw.strip():
        raise ValidationFailed("Enter your email address", field="email")
    email = validation.email(raw, "email")
    assert email is not None
    return email


async def lookup_mail(services: Services, email: str, form_slug: str | None) -> list[EmailMessage]:
    """One mail per tenant holding tickets of `email` (only the form's tenant when a form is
    named). Everything here is invisible to the caller, who gets the same answer regardless:
    whether an address has tickets is for its owner alone to learn, by mail."""
    if not await throttles.lookup_allowed(services, email):
        return []
    scope = None
    if form_slug is not None:
        form = await find_form(services, form_slug)
        if form is None:
            return []
        scope = form.tenant_id
    settings, messages = services.settings, []
    async with services.db.read() as session:
        for tenant_id in await repository.tenants_with_requester(session, email, scope):
            tenant = await tenants.get(session, tenant_id)
            if tenant is None:
                continue
            token = lookup.issue(services.sealer, tenant_id, email, settings.portal_lookup_minutes)
            url = f"{settings.public_url.rstrip('/')}/portal/lookup/{token}"
            messages.append(mails.lookup_link(settings, email, tenant.name, url))
    return messages

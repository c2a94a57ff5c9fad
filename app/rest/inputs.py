"""What v1 callers name differently from GraphQL: priorities and sources as they send them,
ticket ids in paths, and the contact scope of a read. Bodies are `app.rest.v1_bodies`."""

import uuid

from app.kit import validation
from app.kit.errors import NotFound
from app.kit.ids import expect_global_id
from app.rest.envelope import invalid
from app.tickets.models import Priority, Source

PRIORITIES = {
    "p1_critical": Priority.CRITICAL,
    "p2_high": Priority.HIGH,
    "p3_medium": Priority.MEDIUM,
    "p4_low": Priority.LOW,
}
SOURCES = {
    source.value: source for source in (Source.API, Source.WIDGET, Source.EMAIL, Source.FORM)
}


def ticket_pk(raw: str) -> uuid.UUID:
    """A ticket's global id (`tkt_<uuid>`) or its bare UUID; anything else is not found."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        pass
    try:
        return expect_global_id(raw, "Ticket")
    except NotFound:
        raise NotFound("Ticket") from None


def scope_email(raw: str | None) -> str | None:
    """The `contact_email` query parameter, normalised; present but blank is refused rather
    than read as "no scope", which would show the ticket to anyone."""
    if raw is None:
        return None
    email = validation.email(raw, "contact_email")
    if email is None:
        raise invalid("contact_email must not be empty")
    return email

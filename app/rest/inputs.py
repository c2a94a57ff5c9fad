"""Request fields of the v1 API, checked with the same validators GraphQL input goes through
but named as REST callers send them (`subject`, not `title`)."""

import uuid
from typing import Any

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


def _string(data: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise invalid(f"{key} must be a string")
    if required and (value is None or not value.strip()):
        raise invalid(f"{key.capitalize()} is required")
    return value


def _choice(data: dict[str, Any], key: str, choices: dict[str, Any], default: Any) -> Any:
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, str) or value not in choices:
        raise invalid(f"{key} must be one of {', '.join(choices)}")
    return choices[value]


def _tags(data: dict[str, Any]) -> list[str]:
    value = data.get("tags")
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise invalid("tags must be an array of strings")
    return validation.tags(value)


def ticket_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for NewTicket (all but the board), every field checked up front so
    nothing is written for a request that would fail."""
    return {
        "title": validation.title(_string(data, "subject", required=True) or "", "subject"),
        "description": validation.body(_string(data, "body", required=True) or "", "body"),
        "requester_email": validation.email(_string(data, "sender_email"), "sender_email"),
        "requester_name": validation.name(_string(data, "sender_name"), "sender_name"),
        "priority": _choice(data, "priority", PRIORITIES, Priority.MEDIUM),
        "source": _choice(data, "source", SOURCES, Source.API),
        "tags": _tags(data),
        "metadata": validation.metadata(data.get("metadata")),
    }


def message_fields(data: dict[str, Any]) -> tuple[str, str | None]:
    """The body and the optional contact email of a new message."""
    body = validation.body(_string(data, "body", required=True) or "", "body")
    return body, validation.email(_string(data, "contact_email"), "contact_email")


def scope_email(raw: str | None) -> str | None:
    """The `contact_email` query parameter, normalised; present but blank is refused rather
    than read as "no scope", which would show the ticket to anyone."""
    if raw is None:
        return None
    email = validation.email(raw, "contact_email")
    if email is None:
        raise invalid("contact_email must not be empty")
    return email

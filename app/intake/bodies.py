"""JSON bodies of `POST /functions/v1/public-ticket-submit` as typed models: a submission
through a form or a portal lookup, and what each is answered with, in the API document's shapes.

Request models check only the JSON types of their fields; the values are read as the HTML form's
are (`app.intake.submission`), so both ways of posting are judged alike."""

from typing import Annotated, Any, ClassVar, Literal

from pydantic import ConfigDict, Field, RootModel, WithJsonSchema

from app.intake.submission import DEFAULT_PRIORITY, DESCRIPTION_MAX, FIELDS, PRIORITIES
from app.kit import validation
from app.rest.types import Body, TicketId
from app.tickets.models import Ticket

LOOKUP_MESSAGE = "If we have tickets for this address, we have emailed a link to view them."
# The document's two examples, as their curl sends them.
SUBMIT_EXAMPLE: dict[str, Any] = {
    "form_slug": "it-support",
    "name": "Jane Doe",
    "email": "jane@company.com",
    "subject": "Printer not working",
    "category": "Hardware",
    "priority": "Medium",
    "description": "The printer on the 3rd floor...",
}
LOOKUP_EXAMPLE: dict[str, Any] = {"action": "lookup", "email": "jane@company.com"}


def _string(**schema: Any) -> Any:
    return WithJsonSchema({"type": "string", **schema})


class PublicSubmit(Body):
    """A ticket filed through a public form. Unknown fields are ignored."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "required": ["form_slug", "name", "email", "subject", "description"],
            "example": SUBMIT_EXAMPLE,
        },
    )
    MESSAGES: ClassVar[dict[str, str]] = {key: f"{key} must be text" for key in FIELDS}

    action: Annotated[
        Literal["submit"] | None,
        WithJsonSchema({"const": "submit", "description": "May be left out"}),
    ] = None
    form_slug: Annotated[str, _string(minLength=1)]
    name: Annotated[str | None, _string(minLength=1, maxLength=validation.NAME_MAX)] = None
    email: Annotated[str | None, _string(format="email")] = None
    subject: Annotated[str | None, _string(minLength=1, maxLength=validation.TITLE_MAX)] = None
    category: Annotated[str | None, _string(description="One of the form's categories")] = None
    priority: Annotated[
        str | None,
        _string(
            enum=list(PRIORITIES),
            default=DEFAULT_PRIORITY,
            description="Case-insensitive",
        ),
    ] = None
    description: Annotated[str | None, _string(minLength=1, maxLength=DESCRIPTION_MAX)] = None

    def as_form(self) -> dict[str, str]:
        """The fields as the HTML form posts them: text, empty where left out."""
        return {key: getattr(self, key) or "" for key in FIELDS}


class PortalLookup(Body):
    """A requester asking for links to their tickets. Unknown fields are ignored."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={"required": ["action", "email"], "example": LOOKUP_EXAMPLE},
    )
    MESSAGES: ClassVar[dict[str, str]] = {"email": "Enter your email address"}

    action: Literal["lookup"]
    email: Annotated[str | None, _string(format="email")] = None
    form_slug: Annotated[str | None, _string(description="Only this form's tenant")] = None


class PublicRequest(RootModel[PublicSubmit | PortalLookup]):
    """What the endpoint takes: a submission, or a lookup when `action` is `lookup`."""


class PublicSubmitted(Body):
    success: Literal[True]
    ticket_id: TicketId
    ticket_number: int
    status_url: str = Field(description="The requester's private link")

    @classmethod
    def of(cls, ticket: Ticket, status_url: str) -> "PublicSubmitted":
        return cls(
            success=True, ticket_id=ticket.id, ticket_number=ticket.number, status_url=status_url
        )


class LookupAccepted(Body):
    model_config = ConfigDict(
        json_schema_extra={"example": {"success": True, "message": LOOKUP_MESSAGE}}
    )

    success: Literal[True]
    message: str


# The same answer whether or not the address has tickets: nobody can probe for requesters.
LOOKUP_ACCEPTED = LookupAccepted(success=True, message=LOOKUP_MESSAGE)

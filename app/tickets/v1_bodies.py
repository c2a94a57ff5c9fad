"""Bodies of the v1 ticket API as typed models: requests named as REST callers send them
(`subject`, not `title`) and checked with the validators GraphQL input goes through, and
answers in the document's shapes, to the second as it shows them."""

from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field, WithJsonSchema

from app.comments.models import AuthorKind, Comment
from app.kit import validation
from app.kit.attributes import from_attributes
from app.rest.envelope import invalid
from app.rest.types import Body, CommentId, SecondTimestamp, TicketId
from app.tickets.models import Priority, Source, Ticket, TicketStatus

# What v1 callers name differently from GraphQL: priorities and sources as they send them.
PRIORITIES = {
    "p1_critical": Priority.CRITICAL,
    "p2_high": Priority.HIGH,
    "p3_medium": Priority.MEDIUM,
    "p4_low": Priority.LOW,
}
SOURCES = {
    source.value: source for source in (Source.API, Source.WIDGET, Source.EMAIL, Source.FORM)
}

# The document's example ticket, as /v1 shows it.
V1_TICKET_ID = "tkt_550e8400-e29b-41d4-a716-446655440000"
V1_TICKET: dict[str, Any] = {
    "ticket_id": V1_TICKET_ID,
    "ticket_number": 42,
    "subject": "Cannot access billing portal",
    "status": "open",
    "priority": "p2_high",
    "category": "billing",
    "created_at": "2026-03-18T14:32:00Z",
    "updated_at": "2026-03-18T15:10:00Z",
    "messages": [
        {
            "id": "cmt_660e8400-e29b-41d4-a716-446655440000",
            "author_type": "contact",
            "body": "Getting a 403 error...",
            "created_at": "2026-03-18T14:32:00Z",
        }
    ],
}

P_FORMS = {priority.value: p_form for p_form, priority in PRIORITIES.items()}
PRIORITY_MESSAGE = f"priority must be one of {', '.join(PRIORITIES)}"
SOURCE_MESSAGE = f"source must be one of {', '.join(SOURCES)}"


def _text(description: str, **more: Any) -> Any:
    return WithJsonSchema({"type": "string", "minLength": 1, "description": description, **more})


def _required(value: str | None, key: str) -> str:
    if value is None or not value.strip():
        raise invalid(f"{key.capitalize()} is required")
    return value


class Request(Body):
    """A request body: fields of the wrong JSON type are refused by name; values are judged
    afterwards by the shared validators. Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")
    MESSAGES: ClassVar[dict[str, str]] = {}


class V1TicketCreate(Request):
    model_config = ConfigDict(json_schema_extra={"required": ["subject", "body"]})
    MESSAGES: ClassVar[dict[str, str]] = {
        "priority": PRIORITY_MESSAGE,
        "source": SOURCE_MESSAGE,
        "tags": "tags must be an array of strings",
    }

    subject: Annotated[
        str | None,
        _text(f"Ticket subject line, 1 to {validation.TITLE_MAX} characters once trimmed"),
    ] = None
    body: Annotated[str | None, _text("Full description (Markdown), at most 64 KB")] = None
    sender_email: Annotated[
        str | None, WithJsonSchema({"type": ["string", "null"], "description": "Submitter's email"})
    ] = None
    sender_name: Annotated[
        str | None,
        WithJsonSchema(
            {
                "type": ["string", "null"],
                "description": f"Submitter's name, at most {validation.NAME_MAX} characters",
            }
        ),
    ] = None
    priority: Annotated[
        str | None, WithJsonSchema({"enum": [*PRIORITIES, None], "default": "p3_medium"})
    ] = None
    source: Annotated[str | None, WithJsonSchema({"enum": [*SOURCES, None], "default": "api"})] = (
        None
    )
    tags: Annotated[
        list[str] | None,
        WithJsonSchema(
            {
                "type": ["array", "null"],
                "items": {"type": "string"},
                "description": f"At most {validation.TAGS_MAX} tags of up to "
                f"{validation.TAG_MAX} characters",
            }
        ),
    ] = None
    metadata: Annotated[
        Any,
        WithJsonSchema(
            {
                "anyOf": [
                    {
                        "type": "object",
                        "description": "Arbitrary JSON object, at most "
                        f"{validation.METADATA_MAX_BYTES // 1024} KB",
                    },
                    {"type": "null"},
                ]
            }
        ),
    ] = None

    def ticket_fields(self) -> dict[str, Any]:
        """Keyword arguments for NewTicket (all but the board), every field checked up front so
        nothing is written for a request that would fail."""
        if self.priority is not None and self.priority not in PRIORITIES:
            raise invalid(PRIORITY_MESSAGE)
        if self.source is not None and self.source not in SOURCES:
            raise invalid(SOURCE_MESSAGE)
        return {
            "title": validation.title(_required(self.subject, "subject"), "subject"),
            "description": validation.body(_required(self.body, "body"), "body"),
            "requester_email": validation.email(self.sender_email, "sender_email"),
            "requester_name": validation.name(self.sender_name, "sender_name"),
            "priority": PRIORITIES[self.priority] if self.priority else None,
            "source": SOURCES[self.source] if self.source else Source.API,
            "tags": validation.tags(self.tags) if self.tags is not None else [],
            "metadata": validation.metadata(self.metadata),
        }


class V1MessageCreate(Request):
    model_config = ConfigDict(json_schema_extra={"required": ["body"]})

    body: Annotated[str | None, _text("Message text")] = None
    contact_email: Annotated[str | None, WithJsonSchema({"type": ["string", "null"]})] = None

    def message_fields(self) -> tuple[str, str | None]:
        """The body and the optional contact email of a new message."""
        body = validation.body(_required(self.body, "body"), "body")
        return body, validation.email(self.contact_email, "contact_email")


class V1TicketCreated(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "ticket_id": "tkt_550e8400-e29b-41d4-a716-446655440000",
                "ticket_number": 42,
            }
        }
    )

    ticket_id: TicketId
    ticket_number: int

    @classmethod
    def of(cls, ticket: Ticket) -> "V1TicketCreated":
        return cls(ticket_id=ticket.id, ticket_number=ticket.number)


class V1Message(Body):
    id: CommentId
    author_type: AuthorKind
    body: str
    created_at: SecondTimestamp

    @classmethod
    def of(cls, comment: Comment) -> "V1Message":
        return from_attributes(cls, comment, author_type=comment.author_kind)


class V1Ticket(Body):
    model_config = ConfigDict(json_schema_extra={"example": V1_TICKET})

    ticket_id: TicketId
    ticket_number: int
    subject: str
    status: TicketStatus
    priority: Annotated[str, WithJsonSchema({"enum": list(PRIORITIES)})]
    category: str | None
    created_at: SecondTimestamp
    updated_at: SecondTimestamp
    messages: list[V1Message] = Field(description="Non-internal messages, oldest first")

    @classmethod
    def of(cls, ticket: Ticket, comments: list[Comment]) -> "V1Ticket":
        return from_attributes(
            cls,
            ticket,
            ticket_id=ticket.id,
            ticket_number=ticket.number,
            subject=ticket.title,
            priority=P_FORMS[ticket.priority],
            messages=[V1Message.of(comment) for comment in comments],
        )


class V1MessageCreated(Body):
    model_config = ConfigDict(
        json_schema_extra={"example": {"message_id": "cmt_770e8400-e29b-41d4-a716-446655440001"}}
    )

    message_id: CommentId

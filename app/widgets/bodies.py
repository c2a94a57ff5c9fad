"""Bodies of `POST /api/v1/reports` as typed models: the report as the widget sends it, checked
before anything is written, and the receipt it gets back, in the API document's shapes."""

import json
from typing import Annotated, Any, ClassVar, Literal

from pydantic import ConfigDict, WithJsonSchema

from app.kit import validation
from app.rest.envelope import invalid
from app.rest.types import Body, ReportId, TicketId, Timestamp
from app.tickets.models import Ticket
from app.widgets.models import Report, ReportCategory
from app.widgets.service import NewReport

DESCRIPTION_MAX = 10_000
CONTENT_IDS_MAX = 50
CONTENT_ID_MAX = 100
METADATA_MAX_BYTES = 8 * 1024
# Both travel in the ticket's metadata (16 KB at most), with the report's id beside them.
COMBINED_MAX_BYTES = 15 * 1024
CATEGORIES = [category.value for category in ReportCategory]
RECEIVED = "Thank you for your report. Our team will review it shortly."
# The API document's examples, the request as its curl sends it.
REPORT_EXAMPLE: dict[str, Any] = {
    "reporter_id": "usr_a1b2c3d4",
    "reported_user_id": "usr_e5f6g7h8",
    "category": "harassment",
    "description": "This user has been sending threatening messages repeatedly after I asked "
    "them to stop.",
    "content_ids": ["msg_x1y2z3", "msg_a4b5c6"],
    "metadata": {
        "page_url": "https://datingframe.com/messages/usr_e5f6g7h8",
        "platform": "ios_app",
    },
}
RECEIPT_EXAMPLE: dict[str, Any] = {
    "id": "rpt_a1b2c3d4-e5f6-7a8b-9c0d-e1f2a3b4c5d6",
    "ticket_id": "tkt_f1e2d3c4-b5a6-7c8d-9e0f-a1b2c3d4e5f6",
    "status": "received",
    "message": RECEIVED,
    "created_at": "2026-04-02T16:00:00.000Z",
}


def _json_size(value: Any) -> int:
    # Measured as the ticket's metadata check measures it.
    return len(json.dumps(value, separators=(",", ":")).encode())


def _external_id(description: str) -> Any:
    return WithJsonSchema(
        {"type": ["string", "null"], "maxLength": validation.NAME_MAX, "description": description}
    )


class ReportCreate(Body):
    """A report as the widget sends it. Unknown fields are ignored."""

    model_config = ConfigDict(
        extra="ignore", json_schema_extra={"required": ["category", "description"]}
    )
    # Fields of the wrong JSON type are refused by name on parsing; their values are judged by
    # `draft()`, each fault with its own message.
    MESSAGES: ClassVar[dict[str, str]] = {
        "content_ids": "content_ids must be an array of strings",
        "metadata": "metadata must be a JSON object",
    }

    reporter_id: Annotated[
        str | None, _external_id("External id of the reporter; omit for an anonymous report")
    ] = None
    reported_user_id: Annotated[
        str | None, _external_id("External id of the reported user, if there is one")
    ] = None
    category: Annotated[str | None, WithJsonSchema({"type": "string", "enum": CATEGORIES})] = None
    description: Annotated[
        str | None,
        WithJsonSchema({"type": "string", "minLength": 1, "maxLength": DESCRIPTION_MAX}),
    ] = None
    content_ids: Annotated[
        list[str] | None,
        WithJsonSchema(
            {
                "type": ["array", "null"],
                "maxItems": CONTENT_IDS_MAX,
                "items": {"type": "string", "minLength": 1, "maxLength": CONTENT_ID_MAX},
                "description": "Ids of the content reported, on the tenant's platform",
            }
        ),
    ] = None
    metadata: Annotated[
        dict[str, Any] | None,
        WithJsonSchema(
            {
                "type": ["object", "null"],
                "description": f"At most {METADATA_MAX_BYTES // 1024} KB of JSON",
            }
        ),
    ] = None

    def draft(self) -> NewReport:
        """The report to file, or VALIDATION_ERROR naming the first field at fault."""
        report = NewReport(
            category=self._category(),
            description=self._description(),
            reporter_id=validation.name(self.reporter_id, "reporter_id"),
            reported_user_id=validation.name(self.reported_user_id, "reported_user_id"),
            content_ids=self._content_ids(),
            metadata=self._metadata(),
        )
        if _json_size([report.content_ids, report.metadata]) > COMBINED_MAX_BYTES:
            limit = COMBINED_MAX_BYTES // 1024
            raise invalid(f"content_ids and metadata together must be at most {limit} KB of JSON")
        return report

    def _category(self) -> ReportCategory:
        if self.category is None or not self.category.strip():
            raise invalid("category is required")
        if self.category not in CATEGORIES:
            raise invalid(f"category must be one of {', '.join(CATEGORIES)}")
        return ReportCategory(self.category)

    def _description(self) -> str:
        if self.description is None or not self.description.strip():
            raise invalid("description is required")
        if len(self.description) > DESCRIPTION_MAX:
            raise invalid(f"description must be at most {DESCRIPTION_MAX} characters")
        return self.description.strip()

    def _content_ids(self) -> list[str]:
        ids = self.content_ids or []
        if len(ids) > CONTENT_IDS_MAX:
            raise invalid(f"content_ids must hold at most {CONTENT_IDS_MAX} ids")
        if not all(1 <= len(item.strip()) <= CONTENT_ID_MAX for item in ids):
            raise invalid(f"content_ids must each be 1 to {CONTENT_ID_MAX} characters")
        return [item.strip() for item in ids]

    def _metadata(self) -> dict[str, Any]:
        metadata = self.metadata or {}
        if _json_size(metadata) > METADATA_MAX_BYTES:
            raise invalid(f"metadata must be at most {METADATA_MAX_BYTES // 1024} KB of JSON")
        return metadata


class ReportReceipt(Body):
    model_config = ConfigDict(json_schema_extra={"example": RECEIPT_EXAMPLE})

    id: ReportId
    ticket_id: TicketId
    status: Literal["received"]
    message: str
    created_at: Timestamp

    @classmethod
    def of(cls, report: Report, ticket: Ticket) -> "ReportReceipt":
        return cls(
            id=report.id,
            ticket_id=ticket.id,
            status="received",
            message=RECEIVED,
            created_at=report.created_at,
        )

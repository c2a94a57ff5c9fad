"""Bodies of /api/v1/tickets as typed models, in the API document's shapes and key order, with
its examples; they serialize the answers and describe them in the generated document."""

from typing import Any

from pydantic import ConfigDict, Field

from app.cases.models import SafetyCase
from app.kit.actors import shown_name
from app.kit.attributes import from_attributes
from app.rest.examples import EVENT_ID, TENANT_ID, TICKET_ID
from app.rest.types import Body, CaseId, Page, TenantId, TicketId, Timestamp, UserId
from app.tickets.models import Priority, Source, Ticket, TicketStatus, TimelineEntry

# Timeline kinds that do not say what they happened to read as the document's event types.
TIMELINE_TYPES = {
    "created": "ticket_created",
    "updated": "ticket_updated",
    "reopened": "ticket_reopened",
}

# What the example ticket's list entry and its detail both show.
TICKET: dict[str, Any] = {
    "id": TICKET_ID,
    "tenant_id": TENANT_ID,
    "status": "open",
    "priority": "high",
    "category": "harassment",
    "subject": "User report: inappropriate messages",
    "source": "webhook",
}

TICKET_PAGE: dict[str, Any] = {
    "data": [
        {
            **TICKET,
            "ai_confidence": 0.92,
            "assigned_to": None,
            "created_at": "2026-04-02T14:30:01.123Z",
            "updated_at": "2026-04-02T14:30:01.123Z",
        }
    ],
    "pagination": {"cursor": "eyJpZCI6InRrdF8zYTJiMWMwZCJ9", "has_more": True, "total": 47},
}

TICKET_DETAIL: dict[str, Any] = {
    **TICKET,
    "event_id": EVENT_ID,
    "ai_classification": {
        "category": "harassment",
        "confidence": 0.92,
        "model": "claude-sonnet-4-20250514",
        "provider": "anthropic",
        "risk_indicators": ["threats"],
        "priority": "high",
        "sentiment": "distressed",
        "summary": "Member reports repeated threatening messages from a match.",
        "suggested_reply": "Hi, thank you for telling us. We have flagged this account...",
    },
    "assigned_to": None,
    "safety_case_id": None,
    "timeline": [
        {
            "id": "evt_c1d2e3f4-a5b6-7c8d-9e0f-a1b2c3d4e5f6",
            "type": "ticket_created",
            "actor": "system",
            "timestamp": "2026-04-02T14:30:01.123Z",
            "details": {"source": "webhook"},
        }
    ],
    "created_at": "2026-04-02T14:30:01.123Z",
    "updated_at": "2026-04-02T14:30:02.456Z",
}


class TicketSummary(Body):
    id: TicketId
    tenant_id: TenantId
    status: TicketStatus
    priority: Priority
    category: str | None
    subject: str
    source: Source
    ai_confidence: float | None
    assigned_to: UserId | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, ticket: Ticket) -> "TicketSummary":
        return from_attributes(
            cls,
            ticket,
            subject=ticket.title,
            assigned_to=ticket.assignee_id,
        )


class PossibleDuplicate(Body):
    id: TicketId
    number: int
    title: str
    similarity: float = Field(ge=0, le=1, description="Word overlap of the two texts")
    same_requester: bool


class AIClassification(Body):
    """What AI triage suggested for the ticket, stored as made."""

    category: str
    confidence: float = Field(ge=0, le=1, description="Probability the category is right")
    model: str
    provider: str = Field(description="`local` (offline, in Haven) or `anthropic`")
    risk_indicators: list[str] = Field(
        description="Of `self_harm`, `threats`, `csea_concern`, `fraud`"
    )
    priority: Priority
    sentiment: str
    summary: str
    suggested_reply: str
    fallback_reason: str | None = Field(
        default=None, description="Why the configured external provider did not answer"
    )
    possible_duplicates: list[PossibleDuplicate] = Field(
        default=[], description="Open tickets that are likely the same issue, to merge"
    )


class TicketPage(Page[TicketSummary]):
    model_config = ConfigDict(json_schema_extra={"example": TICKET_PAGE})


class TimelineEvent(Body):
    id: str = Field(pattern="^evt_")
    type: str
    actor: str = Field(description="`system` or the person's name")
    timestamp: Timestamp
    details: dict[str, Any]

    @classmethod
    def of(cls, entry: TimelineEntry) -> "TimelineEvent":
        return cls(
            # Timeline entries have no global id type; the document names them as events.
            id=f"evt_{entry.id}",
            type=TIMELINE_TYPES.get(entry.kind, entry.kind),
            actor=shown_name(entry.actor_kind, entry.actor_name),
            timestamp=entry.created_at,
            details=entry.changes,
        )


def _event_id(ticket: Ticket) -> str | None:
    # Only webhook tickets carry the platform's event id; other sources may set metadata freely.
    value = ticket.meta.get("event_id") if ticket.source == Source.WEBHOOK else None
    return value if isinstance(value, str) else None


class TicketDetail(Body):
    """The document's detail has no ai_confidence (it lives in ai_classification) and puts
    assigned_to after the classification."""

    model_config = ConfigDict(json_schema_extra={"example": TICKET_DETAIL})

    id: TicketId
    tenant_id: TenantId
    status: TicketStatus
    priority: Priority
    category: str | None
    subject: str
    source: Source
    event_id: str | None = Field(
        description="The platform's event id, on tickets opened by a webhook"
    )
    ai_classification: AIClassification | None
    assigned_to: UserId | None
    safety_case_id: CaseId | None
    timeline: list[TimelineEvent]
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(
        cls, ticket: Ticket, timeline: list[TimelineEntry], case: SafetyCase | None
    ) -> "TicketDetail":
        return from_attributes(
            cls,
            ticket,
            subject=ticket.title,
            assigned_to=ticket.assignee_id,
            event_id=_event_id(ticket),
            ai_classification=ticket.ai_classification,
            safety_case_id=case.id if case else None,
            timeline=[TimelineEvent.of(entry) for entry in timeline],
        )

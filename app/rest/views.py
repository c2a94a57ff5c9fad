"""Response bodies of the v1 API, in the document's shapes."""

from datetime import UTC, datetime
from typing import Any

from app.comments.models import Comment
from app.kit.ids import to_global_id
from app.rest.inputs import PRIORITIES
from app.tickets.models import Ticket

P_FORMS = {priority.value: p_form for p_form, priority in PRIORITIES.items()}


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, to the second, as the document shows."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def created(ticket: Ticket) -> dict[str, Any]:
    return {"ticket_id": to_global_id("Ticket", ticket.id), "ticket_number": ticket.number}


def message(comment: Comment) -> dict[str, Any]:
    return {
        "id": to_global_id("Comment", comment.id),
        "author_type": comment.author_kind,
        "body": comment.body,
        "created_at": timestamp(comment.created_at),
    }


def ticket_detail(ticket: Ticket, comments: list[Comment]) -> dict[str, Any]:
    return {
        **created(ticket),
        "subject": ticket.title,
        "status": ticket.status,
        "priority": P_FORMS[ticket.priority],
        "category": ticket.category,
        "created_at": timestamp(ticket.created_at),
        "updated_at": timestamp(ticket.updated_at),
        "messages": [message(comment) for comment in comments],
    }

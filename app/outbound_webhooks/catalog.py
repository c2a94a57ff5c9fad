"""The events an endpoint may ask for, under the API documents' names, and the event-log types
each comes from.

Both documents name ticket events, each its own way (`status_changed` and
`ticket_status_changed`), so an endpoint may choose either name; an event is sent once for each
name the endpoint chose. The database trigger that writes deliveries holds the same table
(`webhook_event_names`, in the migration); a test checks the two agree."""

from app.events.models import EventType

# Documented names, and what each says happened.
WEBHOOK_EVENTS: dict[str, str] = {
    "ticket_created": "A new ticket was created",
    "status_changed": "A ticket's status changed (old and new status)",
    "ticket_status_changed": "A ticket's status changed (open, in_progress, waiting, etc.)",
    "assigned": "A ticket's assignee changed (old and new assignee)",
    "ticket_assigned": "A ticket was assigned to an agent",
    "comment_added": "A public comment was posted on a ticket",
    "ticket_replied": "An agent replied on a ticket",
    "ticket_resolved": "A ticket was marked as resolved",
    "sla_breach": "A ticket's SLA deadline was exceeded",
    "case_created": "A safety case was opened",
    "case_status_changed": "A safety case moved to another status",
    "case_assigned": "A safety case was given to a team member",
    "case_priority_changed": "A safety case's priority changed",
    "case_ticket_linked": "A ticket was linked to a safety case",
    "referral_updated": "A case's referral to an authority changed",
}

# Event-log type -> the names it is sent under. `ticket_replied` goes only with an agent's
# comment; internal events (internal notes) are never sent.
SOURCES: dict[str, tuple[str, ...]] = {
    EventType.TICKET_CREATED: ("ticket_created",),
    EventType.STATUS_CHANGED: ("status_changed", "ticket_status_changed"),
    EventType.ASSIGNED: ("assigned", "ticket_assigned"),
    EventType.COMMENT_ADDED: ("comment_added", "ticket_replied"),
    EventType.TICKET_RESOLVED: ("ticket_resolved",),
    # Written once ticket SLAs exist.
    "sla_breached": ("sla_breach",),
    EventType.CASE_CREATED: ("case_created",),
    EventType.CASE_STATUS_CHANGED: ("case_status_changed",),
    EventType.CASE_ASSIGNED: ("case_assigned",),
    EventType.CASE_PRIORITY_CHANGED: ("case_priority_changed",),
    EventType.TICKET_LINKED: ("case_ticket_linked",),
    EventType.REFERRAL_CHANGED: ("referral_updated",),
}
CASE_EVENTS = frozenset(name for name in WEBHOOK_EVENTS if name.startswith(("case_", "referral_")))

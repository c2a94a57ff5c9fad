"""The ticket enums as GraphQL names them, registered once: every GraphQL type that uses one
imports it from here, so it is registered before any type refers to it."""

import strawberry

from app.tickets.models import Priority, Source, TicketStatus, TriageStatus
from app.tickets.repository import TicketOrder

strawberry.enum(TicketStatus, name="TicketStatus", description="Where a ticket is.")
strawberry.enum(Priority, name="Priority", description="How urgent a ticket is.")
strawberry.enum(Source, name="TicketSource", description="How a ticket arrived.")
strawberry.enum(TicketOrder, name="TicketOrder", description="Ticket ordering.")
strawberry.enum(TriageStatus, name="TriageStatus", description="Where a ticket's AI triage is.")

__all__ = ["Priority", "Source", "TicketOrder", "TicketStatus", "TriageStatus"]

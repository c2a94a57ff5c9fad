"""Fetching what a page of tickets will be asked for, with the page, in the same session."""

import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.auth.repository import UserRepository
from app.comments.models import Comment
from app.comments.repository import CommentRepository
from app.kit.batching import grouped
from app.tickets.models import Ticket


@dataclass
class Prefetched:
    comments: dict[uuid.UUID, list[Comment]] | None = None
    users: dict[uuid.UUID, User] = field(default_factory=dict)


async def prefetch(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    tickets: list[Ticket],
    node_paths: set[str],
    *,
    include_internal: bool,
) -> Prefetched:
    """Comments when `comments` is selected (internal notes only for those who may read them);
    assignees and comment authors when selected."""
    found = Prefetched()
    ids = [ticket.id for ticket in tickets]
    if "comments" in node_paths and ids:
        rows = await CommentRepository(session, tenant_id).for_tickets(
            ids, include_internal=include_internal
        )
        found.comments = dict(zip(ids, grouped(rows, ids, "ticket_id"), strict=True))
    people: set[uuid.UUID] = set()
    if "assignee" in node_paths:
        people.update(ticket.assignee_id for ticket in tickets if ticket.assignee_id)
    if "comments.author" in node_paths and found.comments:
        people.update(c.author_id for cs in found.comments.values() for c in cs if c.author_id)
    if people:
        users = await UserRepository(session, tenant_id).by_ids(list(people))
        found.users = {user.id: user for user in users}
    return found

"""Intake form rules, and what the public side may do: file a ticket, follow it, reply."""

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.boards.repository import BoardRepository
from app.boards.service import default_board
from app.comments.models import AuthorKind, Comment
from app.comments.service import NewComment, add_comment
from app.intake.models import DEFAULT_CATEGORIES, IntakeForm, StatusLink
from app.intake.repository import IntakeFormRepository
from app.kit import validation
from app.kit.actors import Actor, ActorKind
from app.kit.db import add_unique
from app.kit.errors import NotFound, ValidationFailed
from app.tickets.models import Priority, Source, Ticket
from app.tickets.service import NewTicket, create_ticket

SLUG_MAX = 60
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
CATEGORIES_MAX = 20
CATEGORY_MAX = 100
# A globally unique slug is visible to anyone through its public URL anyway, so saying it is
# taken reveals nothing else of the tenant that holds it.
SLUG_TAKEN = "This slug is taken; choose another"


@dataclass
class FormFields:
    """Fields of a form as given by an administrator; None where left out."""

    slug: str | None = None
    title: str | None = None
    intro: str | None = None
    board_id: uuid.UUID | None = None
    categories: list[str] | None = None
    is_active: bool | None = None


def _slug(value: str) -> str:
    cleaned = value.strip()
    if len(cleaned) > SLUG_MAX or not SLUG.fullmatch(cleaned):
        raise ValidationFailed(
            f"slug must be 1 to {SLUG_MAX} lowercase letters, digits and single hyphens",
            field="slug",
        )
    return cleaned


def _categories(values: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(value.strip() for value in values if value.strip()))
    if not 1 <= len(cleaned) <= CATEGORIES_MAX:
        raise ValidationFailed(f"offer 1 to {CATEGORIES_MAX} categories", field="categories")
    if any(len(value) > CATEGORY_MAX for value in cleaned):
        raise ValidationFailed(
            f"each category must be at most {CATEGORY_MAX} characters", field="categories"
        )
    return cleaned


async def _board(session: AsyncSession, tenant_id: uuid.UUID, board_id: uuid.UUID) -> uuid.UUID:
    if await BoardRepository(session, tenant_id).get(board_id) is None:
        raise NotFound("Board")
    return board_id


async def create_form(
    session: AsyncSession, principal: Principal, fields: FormFields
) -> IntakeForm:
    """A new form; its slug must be free across all tenants."""
    if fields.slug is None or fields.title is None:
        raise ValidationFailed("slug and title are required")
    form = IntakeForm(
        tenant_id=principal.tenant_id,
        slug=_slug(fields.slug),
        title=validation.title(fields.title),
        intro=validation.text(fields.intro, "intro"),
        categories=_categories(
            DEFAULT_CATEGORIES if fields.categories is None else fields.categories
        ),
        is_active=True if fields.is_active is None else fields.is_active,
    )
    if fields.board_id is not None:
        form.board_id = await _board(session, principal.tenant_id, fields.board_id)
    await add_unique(session, form, SLUG_TAKEN)
    return form


async def update_form(
    session: AsyncSession, principal: Principal, form_id: uuid.UUID, given: dict[str, Any]
) -> IntakeForm:
    """Apply the given fields (a null `board_id` returns the form to the default board)."""
    form = await IntakeFormRepository(session, principal.tenant_id).get(form_id, for_update=True)
    if form is None:
        raise NotFound("IntakeForm")
    checks: dict[str, Any] = {
        "slug": _slug,
        "title": validation.title,
        "intro": lambda v: validation.text(v, "intro"),
        "categories": _categories,
    }
    for key, value in given.items():
        if value is None and key in ("slug", "title", "categories", "is_active"):
            raise ValidationFailed(f"{key} cannot be null", field=key)
        if key == "board_id" and value is not None:
            value = await _board(session, principal.tenant_id, value)
        setattr(form, key, checks[key](value) if key in checks else value)
    await add_unique(session, form, SLUG_TAKEN)
    return form


# --- the public side ----------------------------------------------------------------------


@dataclass
class Submission:
    """A requester's ticket, already checked against the form."""

    name: str
    email: str
    subject: str
    category: str | None
    priority: Priority
    description: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def contact(name: str | None) -> Actor:
    return Actor(ActorKind.CONTACT, None, name)


async def issue_status_link(session: AsyncSession, ticket: Ticket) -> str:
    """A new private link to `ticket`: 256 random bits, of which only the hash is stored."""
    token = secrets.token_urlsafe(32)
    session.add(
        StatusLink(tenant_id=ticket.tenant_id, ticket_id=ticket.id, token_hash=token_hash(token))
    )
    await session.flush()
    return token


async def submit(session: AsyncSession, form: IntakeForm, entry: Submission) -> tuple[Ticket, str]:
    """File the ticket on the form's board; the description is also the requester's first
    message, so the status page shows the conversation whole. Returns the status token."""
    board_id = form.board_id or (await default_board(session, form.tenant_id)).id
    actor = contact(entry.name)
    draft = NewTicket(
        board_id=board_id,
        title=entry.subject,
        description=entry.description,
        priority=entry.priority,
        category=entry.category,
        source=Source.FORM,
        requester_name=entry.name,
        requester_email=entry.email,
        metadata={"intake_form": form.slug},
    )
    ticket = await create_ticket(session, form.tenant_id, actor, draft)
    first = NewComment(
        ticket_id=ticket.id,
        body=entry.description,
        author_kind=AuthorKind.CONTACT,
        contact_name=entry.name,
        contact_email=entry.email,
    )
    await add_comment(session, form.tenant_id, actor, first)
    return ticket, await issue_status_link(session, ticket)


async def reply(session: AsyncSession, ticket: Ticket, body: str) -> Comment:
    """The requester's reply: it reopens a resolved or closed ticket, and takes one waiting on
    the requester back to the team."""
    draft = NewComment(ticket_id=ticket.id, body=body, author_kind=AuthorKind.CONTACT)
    comment, _ = await add_comment(session, ticket.tenant_id, contact(ticket.requester_name), draft)
    return comment

"""Likely duplicates of a new ticket among the tenant's open tickets, suggested on triage.

A candidate is an open ticket of the last 30 days sharing words with the new one (found by the
tickets' full-text index, at most 50). It is suggested when its text is near-identical (word
shingle overlap, Jaccard ≥ 0.6), or when the same requester wrote it and the texts are similar
(≥ 0.25): one person often reports one problem twice in different words, while strangers
reporting the same outage write almost the same thing. Suggestions are never acted on alone; a
person merges (`mergeTickets`)."""

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.ai.local.words import STOPWORDS
from app.kit.ids import to_global_id
from app.kit.models import utcnow
from app.tickets.models import Ticket, TicketStatus

WINDOW = timedelta(days=30)
CANDIDATES, SUGGESTED = 50, 5
NEAR_IDENTICAL, SAME_REQUESTER = 0.6, 0.25
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Duplicate:
    ticket_id: uuid.UUID
    number: int
    title: str
    similarity: float
    same_requester: bool

    def shown(self) -> dict[str, object]:
        return {
            "id": to_global_id("Ticket", self.ticket_id),
            "number": self.number,
            "title": self.title,
            "similarity": self.similarity,
            "same_requester": self.same_requester,
        }


def _words(ticket: Ticket) -> list[str]:
    text = f"{ticket.title} {ticket.description or ''}".lower()
    return [word for word in _WORD.findall(text) if word not in STOPWORDS]


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    if len(words) < 2:
        return {tuple(words)} if words else set()
    return {tuple(words[index : index + 2]) for index in range(len(words) - 1)} | {
        (word,) for word in words
    }


def similarity(one: Ticket, other: Ticket) -> float:
    a, b = _shingles(_words(one)), _shingles(_words(other))
    return round(len(a & b) / len(a | b), 3) if a and b else 0.0


async def likely_duplicates(session: AsyncSession, ticket: Ticket) -> list[Duplicate]:
    words = list(dict.fromkeys(_words(ticket)))[:30]
    if not words:
        return []
    query = func.to_tsquery("simple", " | ".join(words))
    shares: list[ColumnElement[bool]] = [Ticket.search_vector.op("@@")(query)]
    if ticket.requester_email:
        shares.append(Ticket.requester_email == ticket.requester_email)
    rows = await session.scalars(
        select(Ticket)
        .where(
            Ticket.tenant_id == ticket.tenant_id,
            Ticket.id != ticket.id,
            Ticket.merged_into_id.is_(None),
            Ticket.status.not_in([TicketStatus.RESOLVED, TicketStatus.CLOSED]),
            Ticket.created_at >= utcnow() - WINDOW,
            or_(*shares),
        )
        .order_by(func.ts_rank(Ticket.search_vector, query).desc(), Ticket.created_at.desc())
        .limit(CANDIDATES)
    )
    found = []
    for other in rows:
        score = similarity(ticket, other)
        same = bool(ticket.requester_email) and other.requester_email == ticket.requester_email
        if score >= NEAR_IDENTICAL or (same and score >= SAME_REQUESTER):
            found.append(Duplicate(other.id, other.number, other.title, score, same))
    found.sort(key=lambda duplicate: (-duplicate.similarity, duplicate.number))
    return found[:SUGGESTED]

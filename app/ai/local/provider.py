"""The local provider: triage, drafts and procedures by classical methods, in process.

Deterministic (the same request always gets the same answer), offline, and free; used when no
external provider is configured and always for CSEA-flagged text. What it cannot do it leaves
out rather than pretends: it does not follow an agent's free-text instructions, and a reply
with no knowledge-base article to quote says that the team will follow up.

Requester text is only ever read for its meaning: it is classified, searched for risk signs
and quoted, never obeyed."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.ai.categories import DEFAULT_CATEGORIES
from app.ai.contract import (
    Category,
    Draft,
    DraftRequest,
    Made,
    Risk,
    Sop,
    SopRequest,
    TicketText,
    Tone,
    Triage,
    TriageRequest,
    Usage,
)
from app.ai.local import sop as procedure
from app.ai.local.classifier import NaiveBayes, probabilities, trained
from app.ai.local.flagging import flagged
from app.ai.local.grounding import Grounding, ground
from app.ai.local.priority import SURE, SURE_OF_SELF_HARM, priority
from app.ai.local.replies import Reply, compose
from app.ai.local.sentiment import sentiment
from app.ai.local.summary import summary
from app.ai.local.wording import ESCALATION
from app.tickets.categories import ReportCategory

NAME = "local"
MODEL = "local/haven-rules-1"
_DISTRESSING = frozenset({Risk.SELF_HARM, Risk.CSEA_CONCERN, Risk.THREATS})


class LocalProvider:
    @property
    def name(self) -> str:
        return NAME

    @property
    def model(self) -> str:
        return MODEL

    async def triage(self, request: TriageRequest) -> Triage:
        model = await _trained()
        text = _text(request.ticket)
        category, confidence = _categorise(model, text, request.categories or DEFAULT_CATEGORIES)
        flags = flagged(model, text)
        tone = Tone.EMPATHETIC if _DISTRESSING.intersection(flags.worded) else Tone.PROFESSIONAL
        reply = Reply(
            request.ticket.title, text, _spoken_to(category, confidence), flags.worded, tone
        )
        return Triage(
            priority=priority(category.canonical, confidence, flags, text).value,
            category=category.name,
            sentiment=sentiment(text, flags.worded),
            summary=summary(
                request.ticket.title, request.ticket.description, _weight(model, category)
            ),
            suggested_reply=compose(reply, Grounding((), 0.0)),
            risks=flags.risks,
            confidence=confidence,
            made=self._made(),
        )

    async def draft(self, request: DraftRequest) -> Draft:
        model = await _trained()
        asked = [message.body for message in request.messages if message.from_requester]
        text = "\n".join([_text(request.ticket), *asked])
        category, confidence = _categorise(model, text, DEFAULT_CATEGORIES)
        # The latest question counts twice: it is what the reply must answer now.
        grounding = ground("\n".join([text, *asked[-1:]]), request.articles, model.rarity)
        reply = Reply(
            request.ticket.title,
            text,
            _spoken_to(category, confidence),
            flagged(model, text).worded,
            request.tone,
            request.tenant_prompt,
            request.signature,
        )
        return Draft(
            content=compose(reply, grounding),
            confidence=grounding.confidence,
            articles_used=tuple(passage.article.id for passage in grounding.passages),
            made=self._made(),
        )

    async def sop(self, request: SopRequest) -> Sop:
        model = await _trained()
        ticket = request.ticket
        category, _ = _categorise(model, _text(ticket), DEFAULT_CATEGORIES)
        example = summary("", ticket.description, _weight(model, category))
        return Sop(
            title=procedure.title(ticket.title, category.canonical),
            applies_when=procedure.applies_when(ticket.description, category.canonical, example),
            steps=procedure.steps(request.messages),
            escalation=procedure.escalation(request.messages)
            or ESCALATION.get(category.canonical, ESCALATION[ReportCategory.OTHER.value]),
            made=self._made(),
        )

    def _made(self) -> Made:
        return Made(provider=NAME, model=MODEL, usage=Usage())


@dataclass(frozen=True)
class _Chosen:
    """The category chosen: the tenant's name for it, the default category it stands for (its
    own name when it stands for none), and that category's row in the model, if any."""

    name: str
    canonical: str
    row: int | None


def _categorise(
    model: NaiveBayes, text: str, categories: tuple[Category, ...]
) -> tuple[_Chosen, float]:
    chances = probabilities(model.score(text, categories))
    best = int(np.argmax(chances))
    name = categories[best].name
    row = model.trained_class(categories[best])
    canonical = model.classes[row] if row is not None else name
    return _Chosen(name, canonical, row), round(float(chances[best]), 4)


def _spoken_to(category: _Chosen, confidence: float) -> str:
    """The category a reply speaks to: only one the classifier is sure of (very sure, for
    self-harm, whose reply is no form reply); else none, and the reply stays general."""
    needed = SURE_OF_SELF_HARM if category.canonical == ReportCategory.SELF_HARM else SURE
    return category.canonical if confidence >= needed else ""


def _weight(model: NaiveBayes, category: _Chosen) -> Callable[[str], float]:
    """What a word says about the ticket: its rarity, and how typical it is of the category."""
    return lambda stem: model.rarity(stem) + model.salience(stem, category.row)


def _text(ticket: TicketText) -> str:
    return f"{ticket.title}\n{ticket.description}".strip()


async def _trained() -> NaiveBayes:
    # Training takes about a tenth of a second, once per process: off the event loop.
    return await asyncio.to_thread(trained)

"""What Haven asks of an AI provider and what it gets back, whichever provider answers.

Requester text arrives as data (`TicketText`), never spliced into instructions; a provider
fences it in its own way. Every answer says which provider and model made it, what it cost in
tokens, and how sure it is (`confidence`, a calibrated probability that the suggestion is
right), so a support lead can decide how far to trust it."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Purpose(StrEnum):
    TRIAGE = "triage"
    DRAFT = "draft"
    SOP = "sop"


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    FRUSTRATED = "frustrated"
    ANGRY = "angry"
    DISTRESSED = "distressed"


class Risk(StrEnum):
    """Signals a safeguarding lead must see, whatever else the ticket is about."""

    SELF_HARM = "self_harm"
    THREATS = "threats"
    CSEA_CONCERN = "csea_concern"
    FRAUD = "fraud"


class Tone(StrEnum):
    PROFESSIONAL = "professional"
    EMPATHETIC = "empathetic"
    FIRM = "firm"


@dataclass(frozen=True)
class Category:
    """One of the tenant's ticket categories: its name (what is stored on the ticket) and what
    it covers, in the tenant's words."""

    name: str
    description: str = ""


@dataclass(frozen=True)
class TicketText:
    """A ticket as a provider sees it: the requester's words and where they came from."""

    title: str
    description: str = ""
    source: str = "manual"


@dataclass(frozen=True)
class Message:
    """A public message on a ticket, by a requester or an agent (never an internal note)."""

    author: str
    body: str
    from_requester: bool


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0


@dataclass(frozen=True)
class Made:
    """Who made an answer and what it cost."""

    provider: str
    model: str
    usage: Usage = field(default_factory=Usage)


@dataclass(frozen=True)
class TriageRequest:
    ticket: TicketText
    categories: tuple[Category, ...]


@dataclass(frozen=True)
class Triage:
    priority: str  # a Priority value: critical, high, medium, low
    category: str  # one of the request's category names
    sentiment: Sentiment
    summary: str  # one line
    suggested_reply: str
    risks: tuple[Risk, ...]
    confidence: float  # 0-1: the probability that `category` is right
    made: Made


@dataclass(frozen=True)
class Article:
    """A knowledge-base article given to a provider as context for a reply or procedure."""

    id: str
    title: str
    content: str
    similarity: float  # knowledge search's calibrated probability that it is relevant


@dataclass(frozen=True)
class DraftRequest:
    ticket: TicketText
    messages: tuple[Message, ...]
    tone: Tone
    instructions: str  # the agent's extra instructions for this draft, may be empty
    tenant_prompt: str  # the tenant's standing guidance for replies, may be empty
    signature: str  # how replies are signed, e.g. "Dating Frame Support"
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Draft:
    content: str
    confidence: float  # 0-1: how well the articles cover what the requester asked
    articles_used: tuple[str, ...]  # ids of the articles the reply relies on
    made: Made


@dataclass(frozen=True)
class SopRequest:
    ticket: TicketText
    messages: tuple[Message, ...]  # the ticket's comments, agents' and requester's


@dataclass(frozen=True)
class Sop:
    title: str
    applies_when: str
    steps: tuple[str, ...]
    escalation: str
    made: Made


class AIFailed(Exception):
    """A provider gave no usable answer. `retryable`: the same call may succeed later (a
    timeout, an overloaded or rate-limited service) rather than never (a refused key, output
    that does not fit the schema after every attempt)."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.message, self.retryable = message, retryable


class AIProvider(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def model(self) -> str: ...

    async def triage(self, request: TriageRequest) -> Triage: ...

    async def draft(self, request: DraftRequest) -> Draft: ...

    async def sop(self, request: SopRequest) -> Sop: ...

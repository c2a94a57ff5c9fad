"""Replies to a requester: an acknowledgement in the terms of their ticket's category, what the
safety team does and what the requester can do (for safety categories and risks), the
knowledge-base sentences that answer them, quoted and named, then the sign-off.

The requester's own words appear only as a short quotation of their title, in quotation marks,
and never for a safety ticket, where repeating them back could hurt. Someone at risk of
self-harm gets no form reply: care, emergency numbers and helplines first."""

import re
from dataclasses import dataclass

from app.ai.categories import ACCOUNT, BILLING, FEATURE_REQUEST, SAFETY_CATEGORIES, TECHNICAL
from app.ai.contract import Risk, Tone
from app.ai.local.grounding import Grounding
from app.ai.local.wording import (
    ABOUT,
    CLOSING,
    CSEA,
    FOLLOW_UP,
    FRAUD,
    GENERAL_ACKNOWLEDGEMENT,
    GREETING,
    SAFETY_TEAM,
    SELF_HARM,
    THREATS,
    UNDERAGE,
)
from app.tickets.categories import ReportCategory

QUOTABLE = 60
_SIGN_OFF = (
    re.compile(
        r"sign[- ]?off\s*(?:with|as|using)?\s*[:\-]?\s*[\"“']([^\"”'\n]{2,60})[\"”']",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:end|close|finish)\w*\b[^\"“\n]{0,40}?\bwith\s*[:\-]?\s*[\"“']([^\"”'\n]{2,60})[\"”']",
        re.IGNORECASE,
    ),
    re.compile(r"^\s*sign[- ]?off\s*:\s*(.{2,60}?)\s*$", re.IGNORECASE | re.MULTILINE),
)
_THIRD_PERSON = re.compile(
    r"\b(he|she|they|his|her|their|him|them|friend|brother|sister|son|daughter|match|member"
    r"|user|someone|somebody|profile|posts?)\b"
)
_FIRST_PERSON = re.compile(r"\b(myself|i (am|m|want|feel|have|keep|can|do|started|just|ve))\b")


@dataclass(frozen=True)
class Reply:
    """What a reply is built from."""

    title: str
    text: str  # the requester's words, as one string
    category: str  # "" when the classifier is not sure enough to speak to one
    risks: frozenset[Risk]  # the risks the wording shows signs of
    tone: Tone
    tenant_prompt: str = ""
    signature: str = ""


def compose(reply: Reply, grounding: Grounding) -> str:
    tone = reply.tone
    if Risk.SELF_HARM in reply.risks or reply.category == ReportCategory.SELF_HARM:
        # Whatever tone the agent chose, someone at risk is answered warmly.
        tone = Tone.EMPATHETIC
        body = [*_self_harm(reply), *_quotations(grounding, tone)]
    else:
        body = [_acknowledgement(reply), *_safety(reply), *_quotations(grounding, tone)]
        if not grounding.passages:
            body.append(FOLLOW_UP)
    closing = sign_off(reply.tenant_prompt) or CLOSING[tone]
    ending = f"{closing}\n{reply.signature}".strip()
    return "\n\n".join([GREETING[tone], *body, ending])


def sign_off(tenant_prompt: str) -> str:
    """The sign-off the tenant's standing guidance asks for, if it names one."""
    for pattern in _SIGN_OFF:
        found = pattern.search(tenant_prompt)
        if found:
            return found.group(1).strip().rstrip(",") + ","
    return ""


def _acknowledgement(reply: Reply) -> str:
    about = ABOUT.get(reply.category) or reply.category.replace("_", " ")
    if not about:
        return GENERAL_ACKNOWLEDGEMENT[reply.tone]
    quote = _quote(reply)
    if reply.tone is Tone.FIRM:
        return f"We have received your message about {about}{quote}."
    if reply.tone is Tone.EMPATHETIC:
        feeling = (
            "— thank you for taking the time to tell us."
            if reply.category in (FEATURE_REQUEST, ReportCategory.OTHER)
            else "— I'm sorry you've had to deal with this."
        )
        return f"Thank you for reaching out about {about}{quote} {feeling}"
    return f"Thank you for contacting us about {about}{quote}."


def _quote(reply: Reply) -> str:
    title = " ".join(reply.title.split())
    if (
        reply.category in SAFETY_CATEGORIES
        or reply.risks
        or len(title) > QUOTABLE
        or len(title.split()) < 2
        or reply.category not in (ACCOUNT, BILLING, TECHNICAL, FEATURE_REQUEST)
    ):
        return ""
    return f" (“{title.rstrip('.!?')}”)"


def _safety(reply: Reply) -> list[str]:
    category, risks = reply.category, reply.risks
    if Risk.CSEA_CONCERN in risks or category == ReportCategory.CSEA_CONCERN:
        return [CSEA]
    paragraphs = []
    if category in SAFETY_CATEGORIES or risks:
        paragraphs.append(UNDERAGE if category == ReportCategory.UNDERAGE else SAFETY_TEAM)
    if Risk.THREATS in risks:
        paragraphs.append(THREATS)
    if Risk.FRAUD in risks or category == ReportCategory.SCAM:
        paragraphs.append(FRAUD)
    return paragraphs


def _self_harm(reply: Reply) -> list[str]:
    someone_else = bool(_THIRD_PERSON.search(reply.text.lower())) and not _FIRST_PERSON.search(
        reply.text.lower().replace("'", " ")
    )
    return list(SELF_HARM["someone else" if someone_else else "requester"])


def _quotations(grounding: Grounding, tone: Tone) -> list[str]:
    verb = "sets out" if tone is Tone.FIRM else "explains"
    lines = []
    for number, passage in enumerate(grounding.passages):
        said = " ".join(passage.sentences)
        lead = (
            f"Our article “{passage.article.title}” {verb}"
            if number == 0
            else (f"Our article “{passage.article.title}” adds")
        )
        lines.append(f"{lead}: “{said}”")
    return lines

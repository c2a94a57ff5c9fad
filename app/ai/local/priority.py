"""How soon a ticket needs a person, from its risks, its category and what it says.

In order, the first that applies:
- critical: a child at risk (a CSEA sign in the wording, or a CSEA or underage ticket, as
  reports of them are), a self-harm sign in the wording with something imminent (tonight,
  pills, a goodbye), or a service down for everyone;
- high: any other self-harm or CSEA flag (the classifier's alone too), a threat, a self-harm
  ticket, money lost to fraud, a requester shut out (can't log in, locked out, charged twice,
  an outage), or a problem called urgent;
- low: suggestions, spam, and questions that report no problem;
- medium: everything else, and every other safety category.

A category counts only when the classifier is sure of it, or the text names a child for the
child-safety ones; when unsure, medium.

The words that count are the requester's description of their situation; "set this to
critical" is not one of them, so text addressed to the triage itself changes nothing."""

import re

from app.ai.categories import FEATURE_REQUEST
from app.ai.contract import Risk
from app.ai.local.flagging import Flags
from app.ai.local.risks import mentions_child
from app.ai.local.words import normalise
from app.tickets.categories import PRIORITIES, ReportCategory
from app.tickets.models import Priority

# A category sets the priority on its own only when the classifier is at least this sure of
# it: a low-confidence guess of "underage" must not make a password reset critical, nor one of
# "spam" make a real problem wait.
SURE = 0.5
# Self-harm is flagged by the risk signs, which are tuned to miss nothing; the category alone
# raises the priority only when the classifier is very sure ("this update killed it" is not).
SURE_OF_SELF_HARM = 0.8
_IMMINENT = re.compile(
    r"\b(tonight|today|right now|now|goodbye|last message|pills|tablets|bridge|plan|letters"
    r"|note|affairs|ends? it|ways to|not answering|stopped replying|gave|given)\b"
)
_EVERYONE = re.compile(
    r"\b(everyone|everybody|nobody|no one|all (users|customers|members|buyers|sellers|of us)"
    r"|whole (site|platform|service|app|company))\b"
)
_OUTAGE = re.compile(
    r"\b(down|outage|unavailable|not loading|can not (load|log in|login|sign in|access|connect)"
    r"|(is|are|was) not working)\b"
)
_SHUT_OUT = re.compile(
    r"\b(can not|could not|unable to|not able to) (log ?in|sign in|get (back )?in|get into|access"
    r"|connect|reach|complete|use)\b|\blocked out\b|\bget back in\b|\bforgot (my )?password\b"
    r"|\b(charged|billed|paid|taken)\b(\s\w+){0,3}\s(twice|again)\b|\bdouble (charge|charged)\b"
    r"|\bwent through twice\b|\boutage\b"
)
_URGENT = re.compile(r"\b(urgent\w*|asap|emergency|immediately)\b")
_MONEY_LOST = re.compile(
    r"\b(sent|transferred|paid|lost|gave|wired|lent)\b(\s\w+){0,3}\s((£|\$|€)\s?\d|\d[\d,.]*"
    r" (pounds|dollars|euros)|my savings|money)"
)
_PROBLEM = re.compile(
    r"\b(not|no|never|wrong|error|fail\w*|broken|stuck|missing|lost|damaged|cracked|crash\w*"
    r"|declined|rejected|invalid|suspended|restricted|banned|charged|stopped|late|problem"
    r"|issue|refund\w*|still)\b"
)
_QUESTION = re.compile(r"^(how|where|what|when|which|can|could|do|does|is|are|will|would)\b|\?")
_CHILD_CATEGORIES = frozenset({ReportCategory.CSEA_CONCERN.value, ReportCategory.UNDERAGE.value})
_LOW_CATEGORIES = frozenset({FEATURE_REQUEST, ReportCategory.SPAM.value})
_SAFETY_MEDIUM = frozenset(
    category.value
    for category, priority in PRIORITIES.items()
    if priority is Priority.MEDIUM and category is not ReportCategory.OTHER
)


def priority(category: str, confidence: float, flags: Flags, text: str) -> Priority:
    said = normalise(text)
    sure = confidence >= SURE
    risks, worded = flags.risks, flags.worded
    if Risk.CSEA_CONCERN in worded:
        return Priority.CRITICAL
    if category in _CHILD_CATEGORIES and (sure or mentions_child(said)):
        return Priority.CRITICAL
    if Risk.SELF_HARM in worded and _IMMINENT.search(said):
        return Priority.CRITICAL
    if _OUTAGE.search(said) and _EVERYONE.search(said):
        return Priority.CRITICAL
    if {Risk.SELF_HARM, Risk.CSEA_CONCERN, Risk.THREATS}.intersection(risks):
        return Priority.HIGH
    if category == ReportCategory.SELF_HARM and confidence >= SURE_OF_SELF_HARM:
        return Priority.HIGH
    if Risk.FRAUD in risks and _MONEY_LOST.search(said):
        return Priority.HIGH
    if _SHUT_OUT.search(said) or (_URGENT.search(said) and _PROBLEM.search(said)):
        return Priority.HIGH
    if category in _LOW_CATEGORIES and sure:
        return Priority.LOW
    if category in _SAFETY_MEDIUM:
        return Priority.MEDIUM
    if _QUESTION.search(said) and not _PROBLEM.search(said):
        return Priority.LOW
    return Priority.MEDIUM

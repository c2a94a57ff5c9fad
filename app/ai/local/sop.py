"""A standard operating procedure from a resolved ticket: what the agents did, as steps.

Each sentence of an agent's message that reports an action ("I restarted the VPN service",
"Reset the token") becomes an imperative step ("Restart the VPN service"); one that asks the
requester to do something ("could you clear your cache?") becomes "Ask the requester to clear
their cache". Greetings, thanks and apologies are not steps. Steps keep the order the agents
took them in, and a step that repeats an earlier one is dropped."""

import re

from app.ai.categories import SAFETY_CATEGORIES
from app.ai.contract import Message
from app.ai.local.summary import trim
from app.ai.local.verbs import base_form, is_verb
from app.ai.local.wording import REPORTS
from app.ai.local.words import content_stems, sentences

_NOT_A_STEP = re.compile(
    r"^(hi|hello|hey|dear|thanks|thank|sorry|apologies|glad|happy|hope|let (me|us) know"
    r"|no problem|you're welcome|kind regards|regards|best|cheers|great|ok|okay)\b",
    re.IGNORECASE,
)
_ESCALATION = re.compile(
    r"\b(escalat\w*|hand(ed)? (it )?over|handover|passed (it |this )?(on )?to|tier 2|second line"
    r"|engineering|on-call|on call|safeguarding lead|safety team|supervisor|manager)\b",
    re.IGNORECASE,
)
_SUBJECT = re.compile(
    r"^((and|then|so|next|first|finally|also|now|after that|afterwards),?\s+)*"
    r"((i|we)('ve|'d| have| had)?|i've|we've|(i|we) then|the agent|agent)\s+"
    r"((then|also|now|just|finally|first|next)\s+)*",
    re.IGNORECASE,
)
_ASK = re.compile(
    r"^(please\s+|(could|can|would) you( please)?\s+|try to\s+|you (can|could|should|may "
    r"need to)\s+)",
    re.IGNORECASE,
)
_LEAD = re.compile(r"^((then|next|first|finally|also|now),?\s+)+", re.IGNORECASE)
# "VPN connection troubleshooting" → "How to troubleshoot VPN connection".
_ACTION_NOUNS = {
    "troubleshooting": "troubleshoot",
    "setup": "set up",
    "reset": "reset",
    "configuration": "configure",
    "installation": "install",
    "removal": "remove",
    "recovery": "recover",
    "migration": "migrate",
    "verification": "verify",
    "cancellation": "cancel",
    "deletion": "delete",
    "refund": "refund",
    "replacement": "replace",
    "upgrade": "upgrade",
}
_YOUR = {"your": "their", "you": "them", "yours": "theirs", "yourself": "themselves"}
SIMILAR = 0.8


def steps(messages: tuple[Message, ...]) -> tuple[str, ...]:
    found: list[str] = []
    seen: list[set[str]] = []
    for message in messages:
        if message.from_requester:
            continue
        for sentence in sentences(message.body):
            step = _step(sentence)
            if step is None:
                continue
            words = set(content_stems(step))
            if words and any(_similar(words, earlier) for earlier in seen):
                continue
            seen.append(words)
            found.append(step)
    return tuple(found)


def escalation(messages: tuple[Message, ...]) -> str:
    """The agents' sentences about escalating or handing over, if any."""
    said = [
        sentence
        for message in messages
        if not message.from_requester
        for sentence in sentences(message.body)
        if _ESCALATION.search(sentence)
    ]
    return " ".join(said)


def _step(sentence: str) -> str | None:
    text = sentence.strip().rstrip(".!;:")
    if not text or _NOT_A_STEP.match(text) or (text.endswith("?") and not _ASK.match(text)):
        return None
    asked = _ASK.match(text)
    if asked:
        rest = _LEAD.sub("", text[asked.end() :].rstrip("?"))
        if not rest or not is_verb(rest.split()[0]):
            return None
        return trim(f"Ask the requester to {_their(rest)}", 200)
    rest = _LEAD.sub("", _SUBJECT.sub("", text, count=1))
    first, _, remainder = rest.partition(" ")
    if not first or not is_verb(first):
        return None
    verb = base_form(first)
    return trim(f"{verb[0].upper()}{verb[1:]} {_requesters(remainder)}".strip(), 200)


def _their(text: str) -> str:
    """An agent's words to the requester, about the requester ("your cache" → "their
    cache")."""
    return re.sub(
        r"\b(your|you|yours|yourself)\b", lambda found: _YOUR[found.group(1).lower()], text
    )


def _requesters(text: str) -> str:
    """An agent's report of an action, about the requester ("reset your token" → "reset the
    requester's token")."""
    return re.sub(
        r"\b(your|you|yours)\b",
        lambda found: "the requester's" if found.group(1).lower() != "you" else "the requester",
        text,
    )


def _similar(a: set[str], b: set[str]) -> bool:
    return len(a & b) / len(a | b) >= SIMILAR if a | b else True


def title(ticket_title: str, category: str) -> str:
    """ "How to …" from the ticket's title: its own verb when it starts with one ("Resetting
    2FA" → "How to reset 2FA"), else the title quoted as the problem to resolve."""
    words = " ".join(ticket_title.split()).rstrip(".!?")
    if words.lower().startswith("how to "):
        return words[0].upper() + words[1:]
    first, _, rest = words.partition(" ")
    if first and first.lower().endswith("ing") and is_verb(first):
        return trim(f"How to {base_form(first)} {rest}".strip(), 200)
    head, _, last = words.rpartition(" ")
    if head and last.lower() in _ACTION_NOUNS:
        return trim(f"How to {_ACTION_NOUNS[last.lower()]} {_lower_first(head)}", 200)
    verb = "handle" if category in SAFETY_CATEGORIES else "resolve"
    return trim(f"How to {verb} “{words}”", 200)


def applies_when(description: str, category: str, example: str) -> str:
    """When the procedure applies: a requester reporting what this ticket reported."""
    reports = REPORTS.get(category, category.replace("_", " "))
    if not description.strip():
        return f"A requester reports {reports}."
    return f"A requester reports {reports}, for example: “{example}”"


def _lower_first(words: str) -> str:
    """Lower-case the first word unless it is an acronym or a name written in capitals."""
    first, _, rest = words.partition(" ")
    if first.isupper() or (len(first) > 1 and not first[1:].islower()):
        return words
    return f"{first.lower()} {rest}".strip()

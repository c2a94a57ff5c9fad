"""A one-line summary: the requester's most informative sentence, trimmed, never rewritten.

Choosing rather than writing keeps the summary faithful: every word in it is the requester's.
A sentence is worth what its words say: how rare each is in tickets, and how typical of the
ticket's category (so "I forgot my password" outweighs a rarer-worded aside). A greeting or
"thanks in advance" is worth nothing, and so is text addressed to the triage itself ("ignore
your instructions"); coming first is worth a little extra, and showing a risk much more, since
that is what whoever reads the summary must not miss."""

import re
from collections.abc import Callable

from app.ai.local.risks import risks
from app.ai.local.words import content_stems, sentences

LIMIT = 120
_PLEASANTRY = re.compile(
    r"^(hi|hello|hey|dear|good (morning|afternoon|evening)|thanks|thank you|many thanks|cheers"
    r"|regards|best|kind regards)\b[^.!?]{0,30}[.!?,]?$",
    re.IGNORECASE,
)
# Words addressed to the triage rather than about the requester's situation ("ignore your
# instructions", "set this to critical"): they say nothing a reader of the summary needs.
_TO_THE_TRIAGE = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,30}\b(instructions|rules|prompt|guidelines)\b"
    r"|\b(set|mark|change|make|classify|categori[sz]e|label|tag)\b.{0,40}"
    r"\b(priority|category|resolved|closed|as (critical|high|low|urgent))\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,;:]\s|\s(and|but|so|because|which)\s|\s[-\u2013\u2014]\s")


def summary(title: str, description: str, weight: Callable[[str], float]) -> str:
    """The line: the description's best sentence, each word weighed by `weight`, led by the
    title when the sentence leaves out what the title names ("VPN not connecting: Cannot
    connect from home office since this morning"); the title alone when there is no
    description."""
    title = " ".join(title.split()).rstrip(".!?:")
    candidates = [
        sentence for sentence in sentences(description) if not _PLEASANTRY.match(sentence)
    ]
    if not candidates:
        return trim(title)
    worth = {
        n: _worth(sentence, weight) * (1.15 if n == 0 else 1.0)
        for n, sentence in enumerate(candidates)
    }
    best = " ".join(candidates[max(worth, key=lambda n: (worth[n], -n))].split())
    named = set(content_stems(title))
    if named - set(content_stems(best)) and not _TO_THE_TRIAGE.search(title):
        return trim(f"{title}: {best}")
    return trim(best)


def _worth(sentence: str, weight: Callable[[str], float]) -> float:
    stems = set(content_stems(sentence))
    value = sum(weight(stem) for stem in stems) / max(len(stems), 1) ** 0.5
    if _TO_THE_TRIAGE.search(sentence):
        return value * 0.1
    return value * (3.0 if risks(sentence) else 1.0)


def trim(line: str, limit: int = LIMIT) -> str:
    """`line` within `limit` characters: cut at the last clause break that fits, else the last
    word, and marked with an ellipsis."""
    if len(line) <= limit:
        return line
    room = line[: limit - 1]
    breaks = [match.start() for match in _CLAUSE_BREAK.finditer(room) if match.start() > 40]
    cut = breaks[-1] if breaks else room.rfind(" ")
    return room[: cut if cut > 0 else limit - 1].rstrip(" ,;:-\u2013\u2014") + "…"

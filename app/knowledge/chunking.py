"""Markdown into the chunks search reads: by heading first, then long sections by length, with
an overlap so that a sentence cut at a boundary is still whole in one of its two chunks."""

import re
from dataclasses import dataclass

# About a screenful: long enough to hold an answer with its context, short enough that one
# section's vector is not diluted by the rest of the article.
MAX_WORDS = 180
OVERLAP_WORDS = 40
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
WORD = re.compile(r"\S+")
# Where a window prefers to end: after a sentence or a paragraph.
SENTENCE_END = re.compile(r"[.!?:]['\")\]]*$")


@dataclass(frozen=True)
class Piece:
    heading: str | None
    body: str


def word_count(text: str) -> int:
    return len(WORD.findall(text))


def sections(markdown: str) -> list[Piece]:
    """(heading, text) per heading; text before the first heading has none."""
    found: list[Piece] = []
    heading: str | None = None
    lines: list[str] = []
    fenced = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        match = None if fenced else HEADING.match(line)
        if match:
            if "".join(lines).strip():
                found.append(Piece(heading, "\n".join(lines).strip()))
            heading, lines = match.group(2).strip(), []
        else:
            lines.append(line)
    if "".join(lines).strip() or (heading and not found):
        found.append(Piece(heading, "\n".join(lines).strip()))
    return found


def _windows(words: list[str]) -> list[list[str]]:
    """Windows of at most MAX_WORDS, each ending at a sentence end where one is near, the next
    starting OVERLAP_WORDS before it."""
    windows: list[list[str]] = []
    start = 0
    while start < len(words):
        end = min(start + MAX_WORDS, len(words))
        if end < len(words):
            for cut in range(end, start + MAX_WORDS // 2, -1):
                if SENTENCE_END.search(words[cut - 1]):
                    end = cut
                    break
        windows.append(words[start:end])
        if end == len(words):
            break
        start = max(end - OVERLAP_WORDS, start + 1)
    return windows


def chunk(markdown: str) -> list[Piece]:
    """The article's chunks in reading order; an empty article gives none."""
    pieces: list[Piece] = []
    for section in sections(markdown):
        words = WORD.findall(section.body)
        if len(words) <= MAX_WORDS:
            if words or section.heading:
                pieces.append(Piece(section.heading, section.body))
            continue
        pieces += [Piece(section.heading, " ".join(window)) for window in _windows(words)]
    return pieces

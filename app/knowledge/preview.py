"""Markdown as the plain text a list or a search result shows: the words a reader sees, without
the markup that makes them headings, links or emphasis.

A preview, not a renderer: enough of Markdown is undone that `**Refunds** within [30 days](/x)`
reads "Refunds within 30 days"; what is left of rarer constructs is harmless punctuation."""

import re

PREVIEW_CHARS = 200
ELLIPSIS = "…"
# What a cut preview does not end on before its ellipsis: spaces, commas, dashes (en, em).
TRAILING = " ,;:-\u2013\u2014"

# Whole lines that are only markup: code fences, rules, table separator rows.
_MARKUP_LINE = re.compile(r"^\s*(?:`{3,}.*|~{3,}.*|[-*_](?:\s*[-*_]){2,}|\|?[\s:|-]*-[\s:|-]*)$")
# What a line starts with to be a heading, quote or bullet (ordered lists keep their numbers).
_LINE_START = re.compile(r"^\s*(?:#{1,6}\s+|>\s?)*(?:[-*+]\s+(?:\[[ xX]\]\s+)?)?")
_CLOSING_HASHES = re.compile(r"\s+#+\s*$")
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_CODE = re.compile(r"`+([^`]*)`+")
# Emphasis markers around words; underscores only at word edges, so snake_case survives.
_STARS = re.compile(r"(\*{1,3}|~~)(?=\S)(.+?)(?<=\S)\1")
_UNDERSCORES = re.compile(r"(?<!\w)(_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)")
_TABLE_PIPES = re.compile(r"\s*\|\s*")
_SPACE = re.compile(r"\s+")


def _line(text: str) -> str:
    if _MARKUP_LINE.match(text):
        return ""
    text = _CLOSING_HASHES.sub("", _LINE_START.sub("", text, count=1))
    text = _IMAGE_OR_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    text = _CODE.sub(r"\1", text)
    text = _STARS.sub(r"\2", text)
    text = _UNDERSCORES.sub(r"\2", text)
    return _TABLE_PIPES.sub(" ", text) if "|" in text else text


def plain_text(markdown: str) -> str:
    """The text of `markdown` on one line, its markup removed."""
    return _SPACE.sub(" ", " ".join(_line(line) for line in markdown.splitlines())).strip()


def preview(markdown: str, limit: int = PREVIEW_CHARS) -> str:
    """The start of the text, at most `limit` characters and an ellipsis, cut between words."""
    text = plain_text(markdown)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    # Cut between words where one ends late enough; a single overlong word is cut inside.
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(TRAILING) + ELLIPSIS

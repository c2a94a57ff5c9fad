"""Words as the local provider reads them: normalised, split into sentences and tokens, and
reduced to rough stems so that "delivered", "delivery" and "deliveries" count as one word."""

import re

_STOPWORD_TEXT = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself now of off on once only or other our ours ourselves out
    over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves hi hello hey thanks
    thank please team dear regards cheers im ive id ill get got also
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
NEGATIONS = frozenset({"not", "no", "never", "nobody", "nothing", "without", "neither", "nor"})

_CONTRACTIONS = (
    (re.compile(r"\bcan'?t\b"), "can not"),
    (re.compile(r"\bcannot\b"), "can not"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    (
        re.compile(r"\b(do|does|did|is|are|was|were|have|has|had|could|would|should)n'?t\b"),
        r"\1 not",
    ),
    (re.compile(r"\b(\w+)n't\b"), r"\1 not"),
    (re.compile(r"\b(i|you|we|they|he|she|it|that|there)'(m|re|ve|ll|d|s)\b"), r"\1 \2"),
)
# Curly quotes as typed on phones, straightened so contractions are recognised.
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_TOKEN = re.compile(r"[a-z]+|\d+|[£$€]")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d)]*\s+|\s*\n+\s*")


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, contractions spelled out ("can't" → "can not")."""
    text = text.lower().translate(_QUOTES)
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


def tokens(text: str) -> list[str]:
    """The words of `text`, normalised; numbers become "#" and currency signs "money"."""
    found = []
    for token in _TOKEN.findall(normalise(text)):
        if token.isdigit():
            found.append("#")
        elif token in "£$€":
            found.append("money")
        else:
            found.append(token)
    return found


def stem(word: str) -> str:
    """A light suffix-stripping stem: enough to join a word's common forms, never a lexicon."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, replacement, keep in (
        ("ies", "y", 3),
        ("ied", "y", 3),
        ("sses", "ss", 3),
        ("ments", "", 4),
        ("ment", "", 4),
        ("ness", "", 4),
        ("ing", "", 3),
        ("ed", "", 3),
        ("ly", "", 4),
        ("s", "", 3),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            word = word[: len(word) - len(suffix)] + replacement
            doubled = len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz"
            if suffix in ("ing", "ed") and doubled:
                word = word[:-1]
            break
    if len(word) > 4 and word[-1] in "ey":
        word = word[:-1]
    return word


def content_stems(text: str) -> list[str]:
    """The stems of the words that carry meaning (no stopwords, no numbers)."""
    return [stem(token) for token in tokens(text) if token not in STOPWORDS and token != "#"]


def features(text: str) -> list[str]:
    """What the classifier counts: content stems, and adjacent pairs of stems ("log in",
    "can not") unless both are stopwords."""
    words = tokens(text)
    stems = [stem(word) for word in words]
    found = [s for word, s in zip(words, stems, strict=True) if word not in STOPWORDS]
    for (first, a), (second, b) in zip(
        zip(words, stems, strict=True), zip(words[1:], stems[1:], strict=True), strict=False
    ):
        if first not in STOPWORDS or second not in STOPWORDS:
            found.append(f"{a} {b}")
    return found


def sentences(text: str) -> list[str]:
    """The sentences of `text`, each stripped; a line break ends a sentence too."""
    return [part.strip() for part in _SENTENCE_END.split(text.strip()) if part.strip()]

"""The sentences of the given articles that answer a ticket, found by BM25.

Every sentence of every article the knowledge search offered is a document; the ticket's
words are the query. An article knowledge search judged unlikely to be relevant is left out,
and a sentence must share at least two of the ticket's words to be quoted, so a reply quotes
nothing rather than something beside the point."""

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.ai.contract import Article
from app.ai.local.words import content_stems, sentences

K1 = 1.2
B = 0.75
# Below this, knowledge search thinks the article probably does not answer the query.
MIN_SIMILARITY = 0.15
MIN_SHARED_WORDS = 2
# A sentence is kept when it scores at least this share of the best one.
RELATIVE = 0.5
MAX_SENTENCES = 3
MAX_ARTICLES = 2
_MARKUP = re.compile(r"^\s*(#+|[-*•]|\d+[.)])\s*")


@dataclass(frozen=True)
class Passage:
    """Sentences of one article, in the article's order, quoted in a reply."""

    article: Article
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class Grounding:
    passages: tuple[Passage, ...]
    # The share of the ticket's words (weighted by how much each says) the passages contain.
    coverage: float

    @property
    def confidence(self) -> float:
        """How well the passages answer the ticket: knowledge search's probability that the
        best article used is relevant, scaled down by how much of the ticket it leaves out."""
        if not self.passages:
            return 0.05
        best = max(passage.article.similarity for passage in self.passages)
        return round(max(0.0, min(1.0, best)) * (0.4 + 0.6 * self.coverage), 3)


@dataclass(frozen=True)
class _Candidate:
    article: int
    position: int
    text: str
    stems: list[str]


def ground(query: str, articles: Sequence[Article], rarity: Callable[[str], float]) -> Grounding:
    wanted = set(content_stems(query))
    candidates = [
        _Candidate(number, position, text, content_stems(text))
        for number, article in enumerate(articles)
        if article.similarity >= MIN_SIMILARITY
        for position, text in enumerate(_article_sentences(article.content))
    ]
    if not wanted or not candidates:
        return Grounding((), 0.0)
    scores = _bm25(wanted, candidates)
    ranked = sorted(range(len(candidates)), key=lambda n: (-scores[n], n))
    chosen = _choose(ranked, scores, candidates, wanted)
    passages = []
    for number in dict.fromkeys(candidates[n].article for n in chosen):
        mine = sorted(
            (candidates[n] for n in chosen if candidates[n].article == number),
            key=lambda c: c.position,
        )
        passages.append(Passage(articles[number], tuple(c.text for c in mine)))
    covered = {stem for n in chosen for stem in candidates[n].stems}
    total = sum(rarity(stem) for stem in wanted)
    coverage = sum(rarity(stem) for stem in wanted & covered) / total if total else 0.0
    return Grounding(tuple(passages), round(coverage, 3))


def _choose(
    ranked: list[int], scores: list[float], candidates: list[_Candidate], wanted: set[str]
) -> list[int]:
    chosen: list[int] = []
    articles: set[int] = set()
    for n in ranked:
        candidate = candidates[n]
        if len(wanted.intersection(candidate.stems)) < MIN_SHARED_WORDS:
            continue
        if chosen and scores[n] < RELATIVE * scores[chosen[0]]:
            break
        if candidate.article not in articles and len(articles) == MAX_ARTICLES:
            continue
        chosen.append(n)
        articles.add(candidate.article)
        if len(chosen) == MAX_SENTENCES:
            break
    return chosen


def _bm25(wanted: set[str], candidates: list[_Candidate]) -> list[float]:
    count = len(candidates)
    frequency = Counter(stem for c in candidates for stem in set(c.stems))
    average = sum(len(c.stems) for c in candidates) / count or 1.0
    scores = []
    for candidate in candidates:
        terms = Counter(candidate.stems)
        norm = K1 * (1 - B + B * len(candidate.stems) / average)
        scores.append(
            sum(
                math.log(1 + (count - frequency[stem] + 0.5) / (frequency[stem] + 0.5))
                * terms[stem]
                * (K1 + 1)
                / (terms[stem] + norm)
                for stem in wanted
                if stem in terms
            )
        )
    return scores


def _article_sentences(content: str) -> list[str]:
    """The article's sentences, without markdown's heading and list marks; headings and other
    fragments under four words say too little to quote."""
    found = []
    for line in content.splitlines():
        if line.lstrip().startswith("#"):
            continue
        for sentence in sentences(_MARKUP.sub("", line)):
            if len(sentence.split()) >= 4:
                found.append(sentence)
    return found

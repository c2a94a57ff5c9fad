"""How the requester sounds, from a small lexicon read with its negations and intensifiers.

Each mood collects the weights of its words; "very", "so", "really" raise the next word's
weight by half, and a negation in the three words before turns a positive word into
frustration ("not happy") and cancels a negative one ("not worried"). Shouting (several words
in capitals, "!!") adds to anger. Whoever writes of suicide, self-harm or a child at risk is
distressed, whatever their words. A ticket whose strongest mood stays under a threshold is
neutral: most tickets are plain requests, and calling them emotional would make the signal
worthless."""

import json
import re
from collections.abc import Collection
from pathlib import Path

from app.ai.contract import Risk, Sentiment
from app.ai.local.words import NEGATIONS, tokens

LEXICON: dict[Sentiment, dict[str, float]] = {
    Sentiment(mood): words
    for mood, words in json.loads(Path(__file__).with_name("lexicon.json").read_text()).items()
}
INTENSIFIERS = frozenset(
    {"very", "so", "really", "extremely", "absolutely", "totally", "completely", "utterly"}
)
THRESHOLD = 0.9
SHOUTING = re.compile(r"\b[A-Z]{3,}\b")
EXCLAIMING = re.compile(r"!{2,}")
# Capitals that are names of things, not shouting.
ACRONYMS = frozenset({"VPN", "API", "SSO", "CSV", "VAT", "PDF", "URL", "SMS", "GCSE", "IOS"})


def sentiment(text: str, risks: Collection[Risk] = ()) -> Sentiment:
    """The requester's mood: the strongest one that clears the threshold, else neutral."""
    if Risk.SELF_HARM in risks or Risk.CSEA_CONCERN in risks:
        return Sentiment.DISTRESSED
    weights = _weights(tokens(text))
    shouted = [word for word in SHOUTING.findall(text) if word not in ACRONYMS]
    weights[Sentiment.ANGRY] += 0.6 * len(shouted) + 0.8 * len(EXCLAIMING.findall(text))
    if Risk.THREATS in risks:
        weights[Sentiment.DISTRESSED] += 1.0
    mood, weight = max(weights.items(), key=lambda item: item[1])
    return mood if weight >= THRESHOLD else Sentiment.NEUTRAL


def _weights(words: list[str]) -> dict[Sentiment, float]:
    weights = dict.fromkeys(LEXICON, 0.0)
    text = f" {' '.join(words)} "
    for mood, lexicon in LEXICON.items():
        for phrase, weight in lexicon.items():
            start = text.find(f" {phrase} ")
            while start >= 0:
                before = text[:start].split()[-3:]
                boost = 1.5 if before and before[-1] in INTENSIFIERS else 1.0
                if NEGATIONS.intersection(before):
                    if mood is Sentiment.POSITIVE:
                        weights[Sentiment.FRUSTRATED] += weight * boost
                else:
                    weights[mood] += weight * boost
                start = text.find(f" {phrase} ", start + 1)
    return weights

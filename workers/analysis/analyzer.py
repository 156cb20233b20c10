"""One call that tells the language and the sentiment of a text: what ingest stores on a record.

Language: the detector's guess when it is confident, else the hint (the language the page or
the platform declared, e.g. ``<html lang="fr-FR">``), else unknown. A confident guess wins over
the hint because English reviews are common on French pages and the other way round.

Sentiment: from a ``SentimentScorer`` (the lexicon scorer by default; pass another to
``Analyzer`` to swap it). When the text cannot be scored the result says why, in
``unscorable_reason``, and the record is stored without a sentiment: nothing raises.

Reads no settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from search.documents import SentimentLabel
from workers.analysis.language import MIN_CONFIDENCE, guess_language
from workers.analysis.sentiment import LexiconSentimentScorer, SentimentScorer
from workers.analysis.text import to_plain_text

_LANGUAGE_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")


@dataclass(frozen=True)
class Analysis:
    """What the first analysis learnt about one text."""

    language: str | None
    sentiment_score: float | None
    sentiment_label: SentimentLabel | None
    unscorable_reason: str | None = None


def normalize_language_hint(hint: str | None) -> str | None:
    """``"fr-FR"``, ``"FR"`` or ``"fr_CA"`` -> ``"fr"``; anything not a language tag -> ``None``."""
    match = _LANGUAGE_TAG.match((hint or "").strip())
    return match.group(1).lower() if match else None


class Analyzer:
    """Language detection plus a swappable sentiment scorer.

    :param scorer: any ``SentimentScorer``; the lexicon scorer (VADER / French lexicon) by default.

    Example::

        analyzer = Analyzer()
        analyzer("Service impeccable, je recommande !").sentiment_label  # 'positive'
    """

    def __init__(self, scorer: SentimentScorer | None = None) -> None:
        self.scorer = scorer or LexiconSentimentScorer()

    def __call__(self, text: str | None, *, language_hint: str | None = None) -> Analysis:
        plain = to_plain_text(text)
        language = self.choose_language(plain, language_hint)
        result = self.scorer.score(plain, language)
        if result is None:
            reason = self.scorer.unscorable_reason(plain, language) or "the scorer returned no result"
            return Analysis(language, None, None, reason)
        return Analysis(language, result.score, result.label, None)

    @staticmethod
    def choose_language(plain_text: str, language_hint: str | None) -> str | None:
        guess = guess_language(plain_text)
        if guess is not None and guess.confidence >= MIN_CONFIDENCE:
            return guess.language
        return normalize_language_hint(language_hint)


@cache
def default_analyzer() -> Analyzer:
    """The process-wide analyzer with the default scorer (lexicons load once, on first use)."""
    return Analyzer()


def analyze(text: str | None, *, language_hint: str | None = None) -> Analysis:
    """Language and sentiment of ``text`` with the default scorer.

    :param text: review or mention text; markup is stripped, long texts are shortened.
    :param language_hint: the language the source declared, used when detection is unsure.

    >>> analyze("").unscorable_reason
    'empty text'
    """
    return default_analyzer()(text, language_hint=language_hint)

"""Sentiment of a review or mention: a swappable scorer interface and the default lexicon scorer.

``SentimentScorer`` is what the rest of starwatch depends on: ``score(text, language)`` gives a
``SentimentResult`` (score in [-1, 1] and a negative/neutral/positive label) or ``None`` when
the text cannot be scored, and ``unscorable_reason(text, language)`` says why. A scorer never
raises on bad input: an unscorable review must still be stored, only without a sentiment.
A model-based scorer can replace the default later by implementing the same two methods.

The default, ``LexiconSentimentScorer``, is deterministic, offline and fast:
- English: VADER (the ``vaderSentiment`` package), whose compound score is already in [-1, 1].
- French: starwatch's own lexicon scorer (``workers.analysis.french``). The ``vaderSentiment-fr``
  package was evaluated and not used: unmaintained since 2021 (alpha), it pulls in the GPL-2.0
  ``fuzzywuzzy`` and it misreads common review idioms ("pas terrible" scores positive).

Labels use VADER's published thresholds: below -0.05 negative, above 0.05 positive.
Markup is stripped and long texts are shortened first (``workers.analysis.text``).

Reads no settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Protocol, runtime_checkable

from search.documents import SentimentLabel
from workers.analysis.text import letter_count, shorten_for_analysis, to_plain_text

NEUTRAL_BAND = 0.05


def label_for(score: float) -> SentimentLabel:
    """negative / neutral / positive for a score in [-1, 1]."""
    if score > NEUTRAL_BAND:
        return "positive"
    if score < -NEUTRAL_BAND:
        return "negative"
    return "neutral"


@dataclass(frozen=True)
class SentimentResult:
    """A score in [-1, 1] (clamped, rounded to 4 decimals), its label and, when the scorer
    predicts them, the stars (1-5, fractional: 4.3 means "between 4 and 5, closer to 4")."""

    score: float
    label: SentimentLabel
    stars: float | None = None

    @classmethod
    def from_score(cls, raw_score: float, stars: float | None = None) -> "SentimentResult":
        score = round(max(-1.0, min(1.0, float(raw_score))), 4)
        if stars is not None:
            stars = max(1.0, min(5.0, float(stars)))
        return cls(score=score, label=label_for(score), stars=stars)


@runtime_checkable
class SentimentScorer(Protocol):
    """Anything that scores review texts; see the module docstring for the contract."""

    def score(self, text: str, language: str | None) -> SentimentResult | None:
        """The sentiment of ``text``, or ``None`` when ``unscorable_reason`` is not ``None``."""

    def unscorable_reason(self, text: str, language: str | None) -> str | None:
        """Why ``text`` cannot be scored (``"empty text"``...), ``None`` when it can."""


class EnglishVaderScorer:
    """VADER's compound score; its lexicon is loaded once per process, on first use."""

    @staticmethod
    @cache
    def _analyzer():
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        return SentimentIntensityAnalyzer()

    def polarity(self, text: str) -> float:
        return self._analyzer().polarity_scores(text)["compound"]


class LexiconSentimentScorer:
    """The default scorer: VADER for English, starwatch's own lexicon for French.

    :param scorers_by_language: override or extend the per-language polarity functions, e.g.
        ``{"de": my_german_scorer}`` where each value has ``polarity(text) -> float``.

    Example::

        scorer = LexiconSentimentScorer()
        scorer.score("Service impeccable, je recommande !", "fr")  # SentimentResult(0.8..., 'positive')
        scorer.score("", "fr")  # None; scorer.unscorable_reason("", "fr") == "empty text"
    """

    def __init__(self, scorers_by_language: dict | None = None) -> None:
        from workers.analysis.french import FrenchLexiconScorer

        self._scorers = {"en": EnglishVaderScorer(), "fr": FrenchLexiconScorer()}
        self._scorers.update(scorers_by_language or {})

    @property
    def languages(self) -> list[str]:
        return sorted(self._scorers)

    def polarity(self, text: str, language: str) -> float:
        """The raw lexicon polarity in [-1, 1] of an already clean text (``KeyError`` if no lexicon)."""
        return self._scorers[language].polarity(text)

    def unscorable_reason(self, text: str, language: str | None) -> str | None:
        plain = to_plain_text(text)
        if not plain:
            return "empty text"
        if letter_count(plain) == 0:
            return "no words to score (only symbols, digits or emoji)"
        if language is None:
            return "language unknown (text too short or too ambiguous to detect, and no hint)"
        if language not in self._scorers:
            return f"no sentiment scorer for language {language!r} (supported: {', '.join(self.languages)})"
        return None

    def score(self, text: str, language: str | None) -> SentimentResult | None:
        if self.unscorable_reason(text, language) is not None:
            return None
        plain = shorten_for_analysis(to_plain_text(text))
        return SentimentResult.from_score(self._scorers[language].polarity(plain))

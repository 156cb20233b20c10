"""Understanding review and mention texts, with no Celery imports: language, sentiment with
predicted stars, customer-experience aspects, integrity and solicitation flags.

``analyze(text, language_hint=...)`` / ``analyze_batch(texts, hints)`` are the entry points;
``Analysis.record_update()`` gives the Review / Mention fields to fill. The scorer is chosen by
the ``analysis`` settings (``workers.analysis.scorers``); the aspect and flag definitions are
data in ``config/aspects/``.
"""

from workers.analysis.analyzer import Analysis, Analyzer, AspectResult, analyze, analyze_batch
from workers.analysis.language import LanguageGuess, detect_language, guess_language
from workers.analysis.sentiment import LexiconSentimentScorer, SentimentResult, SentimentScorer
from workers.analysis.tagging import Evidence

__all__ = [
    "Analysis",
    "Analyzer",
    "AspectResult",
    "Evidence",
    "LanguageGuess",
    "LexiconSentimentScorer",
    "SentimentResult",
    "SentimentScorer",
    "analyze",
    "analyze_batch",
    "detect_language",
    "guess_language",
]

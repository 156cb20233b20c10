"""First analysis of review and mention texts: language and sentiment, with no Celery imports.

``analyze(text, language_hint=...)`` is the entry point the ingest step calls; the language
detector and the sentiment scorers are usable on their own and the scorer is swappable.
"""

from workers.analysis.analyzer import Analysis, Analyzer, analyze
from workers.analysis.language import LanguageGuess, detect_language, guess_language
from workers.analysis.sentiment import LexiconSentimentScorer, SentimentResult, SentimentScorer

__all__ = [
    "Analysis",
    "Analyzer",
    "LanguageGuess",
    "LexiconSentimentScorer",
    "SentimentResult",
    "SentimentScorer",
    "analyze",
    "detect_language",
    "guess_language",
]

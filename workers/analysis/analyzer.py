"""Everything the workers learn from one text: language, sentiment with stars, aspects and flags.

Language: the detector's guess when it is confident, else the hint (the language the page or
the platform declared, e.g. ``<html lang="fr-FR">``), else a clear winner between English and
French (short texts: "Great coffee & rude staff"), else unknown. A confident guess wins over
the hint because English reviews are common on French pages and the other way round.

Sentiment: from a ``SentimentScorer`` (the trained star model by default, see
``workers.analysis.scorers``). When the text cannot be scored the result says why, in
``unscorable_reason``, and the record is stored without a sentiment: nothing raises, and
aspects and flags are still looked for (a German "scam" is still flagged).

Aspects: sentences are tagged with the CX criteria and domain aspects of
``config/aspects/*.yaml``; an aspect's sentiment is the mean score of its sentences.
Flags: integrity complaints and solicitation, each with its evidence (``workers.analysis.tagging``).

Markup is stripped and very long texts are shortened to their opening and ending first
(``workers.analysis.text``); ``truncated`` says when that happened, and evidence offsets point
into ``analysed_text``. Reads no settings: ``workers.analysis.scorers.build_analyzer`` applies them.

A batch goes through in three steps, so that the per-text work besides the model stays small
(``benchmarks/nlp_throughput.py`` measures it): the languages of all texts at once, then each
text's sentences, aspects and flags (one read of its words), then one scorer call for every
text and every sentence that carries an aspect (``workers.analysis.batch_scoring``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from search.documents import SentimentLabel
from workers.analysis.batch_scoring import score_prepared
from workers.analysis.definitions import Definitions, cached_definitions
from workers.analysis.language import MIN_CONFIDENCE, LanguageGuess, guess_among, guess_plain_languages
from workers.analysis.sentences import Sentence, split_sentences
from workers.analysis.sentiment import SentimentResult, SentimentScorer, label_for
from workers.analysis.tagging import Evidence, Tags, find_tags
from workers.analysis.term_index import text_words
from workers.analysis.text import shorten_for_analysis, to_plain_text

SCORED_LANGUAGES = ("en", "fr")
MIN_CONFIDENCE_AMONG_SCORED = 0.9
_LANGUAGE_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")


@dataclass(frozen=True)
class AspectResult:
    """One aspect of a text: its sentiment (mean of its sentences; ``None`` if unscorable) and sentences."""

    name: str
    score: float | None
    label: SentimentLabel | None
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class Analysis:
    """What the analysis learnt about one text."""

    language: str | None
    sentiment_score: float | None
    sentiment_label: SentimentLabel | None
    unscorable_reason: str | None = None
    sentiment_stars: float | None = None
    aspects: tuple[AspectResult, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    truncated: bool = False
    analysed_text: str = field(default="", repr=False)

    @property
    def flags(self) -> list[str]:
        """Distinct flags, e.g. ``["integrity:hidden_fees", "solicitation:incentive"]``."""
        return sorted({item.flag for item in self.evidence})

    def record_update(self) -> dict[str, Any]:
        """The Review / Mention fields this analysis fills (for ``record.model_copy(update=...)``)."""
        update: dict[str, Any] = {
            "aspects": [aspect.name for aspect in self.aspects],
            "aspect_sentiments": {a.name: a.score for a in self.aspects if a.score is not None},
            "flags": self.flags,
            "flag_evidence": {flag: next(e.sentence for e in self.evidence if e.flag == flag) for flag in self.flags},
        }
        if self.language:
            update["language"] = self.language
        if self.sentiment_score is not None:
            update.update(sentiment_score=self.sentiment_score, sentiment_label=self.sentiment_label,
                          sentiment_stars=self.sentiment_stars)
        return update


def normalize_language_hint(hint: str | None) -> str | None:
    """``"fr-FR"``, ``"FR"`` or ``"fr_CA"`` -> ``"fr"``; anything not a language tag -> ``None``."""
    match = _LANGUAGE_TAG.match((hint or "").strip())
    return match.group(1).lower() if match else None


@dataclass
class _Prepared:
    plain: str
    text: str
    language: str | None
    sentences: list[Sentence]
    reason: str | None
    tags: Tags

    @property
    def aspect_sentences(self) -> list[int]:
        return self.tags.aspect_sentences


class Analyzer:
    """Language, a swappable sentiment scorer, aspects and flags.

    :param scorer: any ``SentimentScorer``; the trained star model by default.
    :param definitions: compiled ``config/aspects`` definitions; all shipped ones by default.

    Example::

        analyzer = Analyzer()
        analyzer("Service impeccable, je recommande !").sentiment_label  # 'positive'
        analyzer.analyze_batch(["Great coffee.", "Frais cachés partout."])  # one Analysis each
    """

    def __init__(self, scorer: SentimentScorer | None = None, definitions: Definitions | None = None) -> None:
        if scorer is None:
            from workers.analysis.star_scorer import StarModelScorer

            scorer = StarModelScorer()
        self.scorer = scorer
        self.definitions = definitions if definitions is not None else cached_definitions(None, None)

    def __call__(self, text: str | None, *, language_hint: str | None = None) -> Analysis:
        return self.analyze_batch([text], [language_hint])[0]

    def analyze_batch(self, texts: Sequence[str | None], language_hints: Sequence[str | None] | None = None) -> list[Analysis]:
        """One ``Analysis`` per text, in order.

        Texts are tagged first, so the scorer sees the whole batch at once in one call: every
        text, and the sentences that carry an aspect (the only sentences whose sentiment is used).
        """
        hints = list(language_hints) if language_hints is not None else [None] * len(texts)
        plain_texts = [to_plain_text(text if isinstance(text, str) else None) for text in texts]
        guesses = guess_plain_languages(plain_texts)
        prepared = [self._prepare(*parts) for parts in zip(plain_texts, guesses, hints)]
        results, sentence_results = score_prepared(self.scorer, prepared)
        return [self._finish(*parts) for parts in zip(prepared, results, sentence_results)]

    def _prepare(self, plain: str, guess: LanguageGuess | None, hint: str | None) -> _Prepared:
        shortened = shorten_for_analysis(plain)
        language = _language_from(plain, guess, hint)
        reason = self.scorer.unscorable_reason(shortened, language)
        sentences = split_sentences(shortened)
        tags = find_tags(shortened, sentences, language, self.definitions, text_words(shortened))
        return _Prepared(plain, shortened, language, sentences, reason, tags)

    def _finish(self, item: _Prepared, result: SentimentResult | None, scores: dict[int, SentimentResult]) -> Analysis:
        reason = item.reason or (None if result is not None else "the scorer returned no result")
        aspects = tuple(self._aspect(name, indexes, item.sentences, scores) for name, indexes in item.tags.aspects.items())
        return Analysis(
            language=item.language,
            sentiment_score=result.score if result else None,
            sentiment_label=result.label if result else None,
            unscorable_reason=reason,
            sentiment_stars=result.stars if result else None,
            aspects=aspects,
            evidence=tuple(item.tags.evidence),
            truncated=len(item.text) < len(item.plain),
            analysed_text=item.text,
        )

    @staticmethod
    def _aspect(name: str, indexes: list[int], sentences: list[Sentence], scores: dict) -> AspectResult:
        values = [scores[i].score for i in indexes if scores.get(i) is not None]
        score = round(sum(values) / len(values), 4) if values else None
        return AspectResult(name, score, label_for(score) if score is not None else None,
                            tuple(sentences[i].text for i in indexes))

    @staticmethod
    def choose_language(plain_text: str, language_hint: str | None) -> str | None:
        """The language of a text already through ``to_plain_text`` (see the module docstring)."""
        return _language_from(plain_text, guess_plain_languages([plain_text])[0], language_hint)


def _language_from(plain_text: str, guess: LanguageGuess | None, language_hint: str | None) -> str | None:
    """A confident ``guess``, else the hint, else a clear winner among the scored languages."""
    if guess is not None and guess.confidence >= MIN_CONFIDENCE:
        return guess.language
    hinted = normalize_language_hint(language_hint)
    if hinted or guess is None:
        return hinted
    # Unsure among all languages and no hint: a clear winner among the scored ones will do.
    among = guess_among(plain_text, SCORED_LANGUAGES)
    return among.language if among is not None and among.confidence >= MIN_CONFIDENCE_AMONG_SCORED else None


def default_analyzer() -> Analyzer:
    """This process's analyzer, built from its settings (``workers.analysis.scorers``)."""
    from workers.analysis.scorers import process_analyzer

    return process_analyzer()


def analyze(text: str | None, *, language_hint: str | None = None) -> Analysis:
    """Language, sentiment (score, label, stars), aspects and flags of ``text``.

    :param text: review or mention text; markup is stripped, long texts are shortened.
    :param language_hint: the language the source declared, used when detection is unsure.

    >>> analyze("").unscorable_reason
    'empty text'
    """
    return default_analyzer()(text, language_hint=language_hint)


def analyze_batch(texts: Sequence[str | None], language_hints: Sequence[str | None] | None = None) -> list[Analysis]:
    """``analyze`` for many texts at once (the model scores them as one batch)."""
    return default_analyzer().analyze_batch(texts, language_hints)

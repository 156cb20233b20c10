"""The default ``SentimentScorer``: the trained star model, batched, with sentence scores for aspects.

``StarModelScorer`` gives every review a score in [-1, 1], a label and predicted stars (1-5).
It scores English with the full model (n-grams learnt from real reviews plus VADER) and French
with the French lexicon head of the same file (see ``workers.analysis.star_model``). Texts are
scored in batches (``score_batch``): the per-text work is splitting and hashing, the model itself
is one numpy gather per batch.

``featurize`` is shared with the training script, so training and inference always compute the
same features: the text is split into sentences, each sentence is hashed and given its lexicon
polarity, and the text's features are the union of its sentences' features.

Reads no settings; ``workers.analysis.scorers`` builds it from ``analysis.*``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from workers.analysis.features import dense_features, sentence_buckets
from workers.analysis.sentences import Sentence, split_sentences
from workers.analysis.sentiment import LexiconSentimentScorer, SentimentResult
from workers.analysis.star_model import StarModel, default_star_model
from workers.analysis.text import shorten_for_analysis, to_plain_text


@dataclass(frozen=True)
class TextFeatures:
    """One analysed text: its sentences, their buckets and lexicon polarities, and the text's own."""

    sentences: list[Sentence]
    buckets: np.ndarray
    sentence_buckets: list[np.ndarray]
    polarities: list[float]

    @property
    def dense(self) -> np.ndarray:
        return dense_features(self.polarities)


def featurize(plain_text: str, language: str, lexicons: LexiconSentimentScorer,
              sentences: list[Sentence] | None = None) -> TextFeatures:
    """Features of a clean, already shortened text in a language ``lexicons`` supports.

    :param sentences: ``split_sentences(plain_text)`` when the caller already has them.
    """
    sentences = split_sentences(plain_text) if sentences is None else sentences
    texts = [sentence.text for sentence in sentences]
    buckets, rows = sentence_buckets(texts)
    polarities = [lexicons.polarity(text, language) for text in texts]
    return TextFeatures(sentences, buckets, rows, polarities)


def results_from_stars(predicted_stars: np.ndarray) -> list[SentimentResult]:
    """Score ``(stars - 3) / 2`` and its label, with the stars rounded to 2 decimals."""
    return [SentimentResult.from_score((stars - 3.0) / 2.0, stars=round(float(stars), 2)) for stars in predicted_stars]


class StarModelScorer:
    """Stars, score and label from the trained star model.

    :param model: a loaded ``StarModel``; the one shipped with starwatch by default.
    :param lexicons: the lexicon scorer that gives sentence polarities and says which languages
        can be scored (English and French).

    Example::

        scorer = StarModelScorer()
        scorer.score("Cold coffee and a rude barista.", "en")  # SentimentResult(-0.8.., 'negative', stars=1.4..)
        scorer.score_batch(["Parfait !", ""], ["fr", None])    # [SentimentResult(...), None]
    """

    def __init__(self, model: StarModel | None = None, lexicons: LexiconSentimentScorer | None = None) -> None:
        self.model = model or default_star_model()
        self.lexicons = lexicons or LexiconSentimentScorer()

    def unscorable_reason(self, text: str, language: str | None) -> str | None:
        return self.lexicons.unscorable_reason(text, language)

    def score(self, text: str, language: str | None) -> SentimentResult | None:
        return self.score_batch([text], [language])[0]

    def score_batch(self, texts: Sequence[str], languages: Sequence[str | None]) -> list[SentimentResult | None]:
        """One result per text, ``None`` where ``unscorable_reason`` says why."""
        features: list[TextFeatures | None] = []
        for text, language in zip(texts, languages):
            if self.unscorable_reason(text, language) is not None:
                features.append(None)
            else:
                plain = shorten_for_analysis(to_plain_text(text))
                features.append(featurize(plain, language, self.lexicons))
        return self.score_features(features, languages)

    def score_features(self, features: Sequence[TextFeatures | None],
                       languages: Sequence[str | None]) -> list[SentimentResult | None]:
        """Whole-text results for already featurized texts (``None`` stays ``None``)."""
        results: list[SentimentResult | None] = [None] * len(features)
        for head, indexes in self._by_head(features, languages).items():
            rows = [features[i].buckets for i in indexes]
            dense = np.vstack([features[i].dense for i in indexes])
            stars = self.model.predict_stars(head, rows, dense)
            for index, result in zip(indexes, results_from_stars(stars)):
                results[index] = result
        return results

    def score_sentences(self, features: TextFeatures, language: str, which: Sequence[int]) -> dict[int, SentimentResult]:
        """Results for the sentences numbered ``which`` of one featurized text."""
        if not which:
            return {}
        head = self.model.head_for(language)
        rows = [features.sentence_buckets[i] for i in which]
        dense = np.vstack([dense_features([features.polarities[i]]) for i in which])
        stars = self.model.predict_stars(head, rows, dense)
        return dict(zip(which, results_from_stars(stars)))

    def _by_head(self, features, languages) -> dict:
        groups: dict = {}
        for index, (feature, language) in enumerate(zip(features, languages)):
            if feature is not None:
                groups.setdefault(self.model.head_for(language), []).append(index)
        return groups

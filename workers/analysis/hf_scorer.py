"""An optional ``SentimentScorer`` over any Hugging Face text-classification model.

For users with internet access (or a model folder on disk) who prefer a transformer: set
``analysis.sentiment_model: huggingface`` and ``analysis.huggingface_model`` to a model id or
folder, and install the extra (``pip install 'starwatch[huggingface]'``, which brings torch).
Nothing is imported or downloaded unless this scorer is configured.

The model's labels are mapped onto starwatch's scale by ``label_to_stars``: "1 star".."5 stars"
(star-rating models), "LABEL_0".."LABEL_4" (read as 1-5 stars), and negative / neutral /
positive (2 / 3 / 4-5 stars... as 1, 3, 5). The predicted stars are the probability-weighted
mean over all labels, so a model with only two labels still gives graded stars.

Settings read (passed in by ``workers.analysis.scorers``): ``analysis.huggingface_model``,
``analysis.huggingface_device``, ``analysis.batch_size``.
"""

from __future__ import annotations

import re
from typing import Sequence

from workers.analysis.sentiment import SentimentResult
from workers.analysis.text import letter_count, shorten_for_analysis, to_plain_text

MAX_CHARS = 2000  # transformer inputs are truncated to their first tokens anyway
_NAMED_LABELS = {"negative": 1.0, "neg": 1.0, "very negative": 1.0, "neutral": 3.0, "neu": 3.0,
                 "positive": 5.0, "pos": 5.0, "very positive": 5.0, "mixed": 3.0}


class HuggingFaceUnavailable(RuntimeError):
    """transformers is not installed or the model cannot be loaded; the message says what to do."""


def label_to_stars(label: str) -> float:
    """Stars (1-5) meant by a model's label; ``ValueError`` for a label it cannot read.

    >>> label_to_stars("4 stars"), label_to_stars("LABEL_0"), label_to_stars("POSITIVE")
    (4.0, 1.0, 5.0)
    """
    text = label.strip().lower()
    star = re.match(r"^([1-5])\s*(?:star|stars|étoiles?)?$", text)
    if star:
        return float(star.group(1))
    numbered = re.match(r"^label_([0-4])$", text)
    if numbered:
        return float(numbered.group(1)) + 1.0
    if text in _NAMED_LABELS:
        return _NAMED_LABELS[text]
    raise ValueError(f"cannot read the model label {label!r} as stars; use a model whose labels are "
                     "'1 star'..'5 stars', 'LABEL_0'..'LABEL_4' or negative/neutral/positive")


def result_from_label_scores(scores: Sequence[dict]) -> SentimentResult:
    """A result from one text's ``[{"label": ..., "score": probability}, ...]``."""
    total = sum(item["score"] for item in scores) or 1.0
    stars = sum(label_to_stars(item["label"]) * item["score"] for item in scores) / total
    return SentimentResult.from_score((stars - 3.0) / 2.0, stars=round(stars, 2))


class HuggingFaceScorer:
    """Scores with a transformers ``text-classification`` pipeline, loaded on first use.

    :param model: model id or local folder.
    :param device: ``"cpu"``, ``"cuda"``...
    :param batch_size: texts per forward pass.
    """

    def __init__(self, model: str, device: str = "cpu", batch_size: int = 32) -> None:
        self.model_name = model
        self.device = device
        self.batch_size = batch_size
        self._pipeline = None

    def unscorable_reason(self, text: str, language: str | None) -> str | None:
        plain = to_plain_text(text)
        if not plain:
            return "empty text"
        if letter_count(plain) == 0:
            return "no words to score (only symbols, digits or emoji)"
        return None

    def score(self, text: str, language: str | None) -> SentimentResult | None:
        return self.score_batch([text], [language])[0]

    def score_batch(self, texts: Sequence[str], languages: Sequence[str | None]) -> list[SentimentResult | None]:
        scorable = [i for i, (t, lang) in enumerate(zip(texts, languages)) if self.unscorable_reason(t, lang) is None]
        results: list[SentimentResult | None] = [None] * len(texts)
        if not scorable:
            return results
        inputs = [shorten_for_analysis(to_plain_text(texts[i]), MAX_CHARS, 0) for i in scorable]
        outputs = self._loaded()(inputs, batch_size=self.batch_size, truncation=True, top_k=None)
        for index, scores in zip(scorable, outputs):
            results[index] = result_from_label_scores(scores)
        return results

    def _loaded(self):
        if self._pipeline is None:
            try:
                from transformers import pipeline
            except ImportError:
                raise HuggingFaceUnavailable(
                    "analysis.sentiment_model is 'huggingface' but transformers is not installed; run "
                    "pip install 'starwatch[huggingface]' or set analysis.sentiment_model: stars") from None
            try:
                self._pipeline = pipeline("text-classification", model=self.model_name, device=self.device)
            except Exception as exc:  # noqa: BLE001 - any loading failure gets the same advice
                raise HuggingFaceUnavailable(
                    f"cannot load the Hugging Face model {self.model_name!r} ({type(exc).__name__}: {exc}); check "
                    "analysis.huggingface_model (a model id needs internet the first time, or use a local folder)") from None
        return self._pipeline

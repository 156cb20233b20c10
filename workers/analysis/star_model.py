"""The default sentiment model: an ordinal (1-5 stars) linear model on hashed n-grams and lexicons.

Why this model: it was trained on real reviews with their stars (see ``models/README.md`` and
``benchmarks/nlp_train_star_model.py``), it needs only numpy (no torch, nothing downloaded at
run time), it weighs about a megabyte and it scores thousands of reviews per second on one core.

How it scores: a text gets one number, its *latent* ``z = w · x`` (x: hashed n-grams, each
weighing 1/n so that a sentence and a long review are on one scale, plus the lexicon summary
of ``workers.analysis.features``). Ordinal thresholds
``θ1 < θ2 < θ3 < θ4`` turn it into star probabilities, ``P(stars ≤ k) = σ(θk − z)``; the expected
number of stars is the prediction, and ``(stars − 3) / 2`` the score in [-1, 1].

Two heads share the file: the full head for languages whose n-grams were trained
(``ngram_languages``, English), and a lexicon-only head for the other languages that have a
lexicon (French), whose words the n-gram weights have never seen.

Reads no settings; ``workers.analysis.scorers`` chooses the model file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Sequence

import numpy as np

from workers.analysis.features import DENSE_NAMES, DIMENSION

DEFAULT_MODEL_PATH = Path(__file__).with_name("models") / "stars_en_v1.npz"
STARS = np.arange(1, 6, dtype=np.float64)


class ModelFileError(Exception):
    """The model file is missing or not a star model; the message says what to do."""


@dataclass(frozen=True, eq=False)
class Head:
    """Weights of one head: n-gram weights (or ``None`` for lexicon-only), dense weights, thresholds."""

    ngram_weights: np.ndarray | None
    dense_weights: np.ndarray
    thresholds: np.ndarray

    def latents(self, rows: Sequence[np.ndarray], dense: np.ndarray) -> np.ndarray:
        """``w · x`` for each text: ``rows[i]`` its bucket indices, ``dense[i]`` its lexicon summary."""
        latent = dense.astype(np.float64) @ self.dense_weights
        if self.ngram_weights is None or not len(rows):
            return latent
        lengths = np.fromiter((len(row) for row in rows), dtype=np.int64, count=len(rows))
        if lengths.sum():
            gathered = self.ngram_weights[np.concatenate(rows)].astype(np.float64)
            starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
            sums = np.add.reduceat(gathered, np.minimum(starts, len(gathered) - 1))
            sums[lengths == 0] = 0.0
            latent = latent + sums / np.maximum(lengths, 1)
        return latent

    def probabilities(self, latents: np.ndarray) -> np.ndarray:
        """(n, 5) star probabilities from the ordinal thresholds."""
        cumulative = 1.0 / (1.0 + np.exp(-(self.thresholds[None, :] - latents[:, None])))
        cumulative = np.hstack([np.zeros((len(latents), 1)), cumulative, np.ones((len(latents), 1))])
        return np.clip(np.diff(cumulative, axis=1), 0.0, 1.0)


@dataclass(frozen=True)
class StarModel:
    """A loaded model file: the full head, the lexicon-only head and what they were trained on."""

    full: Head
    lexicon_only: Head
    ngram_languages: frozenset[str]
    metadata: dict

    def head_for(self, language: str | None) -> Head:
        return self.full if language in self.ngram_languages else self.lexicon_only

    @staticmethod
    def expected_stars(probabilities: np.ndarray) -> np.ndarray:
        return probabilities @ STARS

    @classmethod
    def load(cls, path: Path | str = DEFAULT_MODEL_PATH) -> "StarModel":
        path = Path(path)
        if not path.is_file():
            raise ModelFileError(
                f"star model file {path} not found; reinstall starwatch, or point analysis.star_model_path "
                "at a file made by benchmarks/nlp_train_star_model.py"
            )
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}
            metadata = json.loads(str(arrays["metadata"]))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelFileError(f"{path} is not a starwatch star model ({exc}); retrain it with "
                                 "benchmarks/nlp_train_star_model.py") from None
        _check_shapes(path, arrays, metadata)
        full = Head(arrays["ngram_weights"].astype(np.float32), arrays["dense_weights"], arrays["thresholds"])
        lexicon_only = Head(None, arrays["lexicon_dense_weights"], arrays["lexicon_thresholds"])
        return cls(full, lexicon_only, frozenset(metadata["ngram_languages"]), metadata)


def _check_shapes(path: Path, arrays: dict, metadata: dict) -> None:
    expected = {"ngram_weights": (DIMENSION,), "dense_weights": (len(DENSE_NAMES),), "thresholds": (4,),
                "lexicon_dense_weights": (len(DENSE_NAMES),), "lexicon_thresholds": (4,)}
    for name, shape in expected.items():
        if name not in arrays or arrays[name].shape != shape:
            got = arrays[name].shape if name in arrays else "missing"
            raise ModelFileError(f"{path}: {name} should have shape {shape}, got {got}; the file was made for "
                                 "other features: retrain it with benchmarks/nlp_train_star_model.py")
    if "ngram_languages" not in metadata:
        raise ModelFileError(f"{path}: metadata has no ngram_languages; retrain it with benchmarks/nlp_train_star_model.py")


@cache
def default_star_model() -> StarModel:
    """The model shipped with starwatch, loaded once per process."""
    return StarModel.load(DEFAULT_MODEL_PATH)

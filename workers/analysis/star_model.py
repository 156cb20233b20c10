"""The default sentiment model: an ordinal (1-5 stars) linear model on hashed n-grams and lexicons.

Why this model: it was trained on real reviews with their stars (see ``models/README.md`` and
``benchmarks/nlp_train_star_model.py``), it needs only numpy (no torch, nothing downloaded at
run time), it weighs a quarter of a megabyte and it scores over a thousand reviews per second
on one core.

How it scores: a text gets one number, its *latent* ``z = w · x`` (x: hashed n-grams, each
weighing about 1/n so that a sentence and a long review are on one scale — see ``Head.latents``
for the prior that keeps a short sentence's few n-grams in check — plus the lexicon summary of
``workers.analysis.features``). Ordinal thresholds
``θ1 < θ2 < θ3 < θ4`` turn it into star probabilities, ``P(stars ≤ k) = σ(θk − z)``. The
predicted stars are either the expected number of stars, or (``stars_from: latent`` in the
file's metadata) where ``z`` falls among the thresholds: 2.5 at θ2, 3.0 half-way between θ2
and θ3, and so on, so that the rounded prediction is the most likely star's median. The
expected value is pulled towards 3 whenever the model is unsure, which costs star error on
clear 1★ and 5★ reviews; the training script keeps whichever scored better on its validation
split. ``(stars − 3) / 2`` is the score in [-1, 1].

Heads in the file: the full head for languages whose n-grams were trained (``ngram_languages``,
English); lexicon-only heads for languages whose words the n-gram weights have never seen, one
per language when the file has one (``lexicon_head_languages``: French, fitted on French
reviews), else a shared one fitted on the English lexicon summary.

Reads no settings; ``workers.analysis.scorers`` chooses the model file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Sequence

import numpy as np

from workers.analysis.features import DENSE_NAMES, DIMENSION

DEFAULT_MODEL_PATH = Path(__file__).with_name("models") / "stars_v2.npz"
STARS = np.arange(1, 6, dtype=np.float64)


class ModelFileError(Exception):
    """The model file is missing or not a star model; the message says what to do."""


@dataclass(frozen=True, eq=False)
class Head:
    """Weights of one head: n-gram weights (or ``None`` for lexicon-only), dense weights, thresholds."""

    ngram_weights: np.ndarray | None
    dense_weights: np.ndarray
    thresholds: np.ndarray
    ngram_prior: float = 0.0

    def latents(self, rows: Sequence[np.ndarray], dense: np.ndarray) -> np.ndarray:
        """``w · x`` for each text: ``rows[i]`` its bucket indices, ``dense[i]`` its lexicon summary.

        Each of a text's n buckets weighs ``1 / (n + ngram_prior)``: a mean for a long review, but
        a short sentence's few n-grams are shrunk towards 0, so its lexicon summary speaks louder
        ("Pretty good overall." has three n-grams, each seen mostly in lukewarm 3★ reviews).
        """
        latent = dense.astype(np.float64) @ self.dense_weights
        if self.ngram_weights is None or not len(rows):
            return latent
        lengths = np.fromiter((len(row) for row in rows), dtype=np.int64, count=len(rows))
        if lengths.sum():
            gathered = self.ngram_weights[np.concatenate(rows)].astype(np.float64)
            starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
            sums = np.add.reduceat(gathered, np.minimum(starts, len(gathered) - 1))
            sums[lengths == 0] = 0.0
            latent = latent + sums / np.maximum(lengths + self.ngram_prior, 1)
        return latent

    def probabilities(self, latents: np.ndarray) -> np.ndarray:
        """(n, 5) star probabilities from the ordinal thresholds."""
        cumulative = 1.0 / (1.0 + np.exp(-(self.thresholds[None, :] - latents[:, None])))
        cumulative = np.hstack([np.zeros((len(latents), 1)), cumulative, np.ones((len(latents), 1))])
        return np.clip(np.diff(cumulative, axis=1), 0.0, 1.0)

    def latent_stars(self, latents: np.ndarray) -> np.ndarray:
        """Stars from where each latent falls among the thresholds (see the module docstring).

        Inside star k's interval ``[θ(k-1), θk]`` the stars go linearly from k − 0.5 to k + 0.5;
        below θ1 and above θ4 they go on at the slope of the nearest interval, down to 1 and up to 5.
        """
        t = self.thresholds
        edges = np.concatenate(([t[0] - (t[1] - t[0])], t, [t[3] + (t[3] - t[2])]))
        star = np.clip(np.searchsorted(t, latents), 0, 4)
        low, high = edges[star], edges[star + 1]
        return np.clip(star + 0.5 + (latents - low) / (high - low), 1.0, 5.0)

    def stars(self, latents: np.ndarray, stars_from: str = "expected") -> np.ndarray:
        """Predicted stars (1-5, fractional): ``"expected"`` value or ``"latent"`` position."""
        if stars_from == "latent":
            return self.latent_stars(latents)
        return self.probabilities(latents) @ STARS


@dataclass(frozen=True)
class StarModel:
    """A loaded model file: the full head, the lexicon-only heads and what they were trained on."""

    full: Head
    lexicon_only: Head
    ngram_languages: frozenset[str]
    metadata: dict
    language_heads: dict[str, Head] = field(default_factory=dict)

    def head_for(self, language: str | None) -> Head:
        if language in self.ngram_languages:
            return self.full
        return self.language_heads.get(language, self.lexicon_only)

    @property
    def stars_from(self) -> str:
        return self.metadata.get("stars_from", "expected")

    def predict_stars(self, head: Head, rows: Sequence[np.ndarray], dense: np.ndarray) -> np.ndarray:
        """Stars of texts scored by ``head`` (``Head.latents`` arguments)."""
        return head.stars(head.latents(rows, dense), self.stars_from)

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
        full = Head(arrays["ngram_weights"].astype(np.float32), arrays["dense_weights"], arrays["thresholds"],
                    float(metadata.get("ngram_prior", 0.0)))
        lexicon_only = Head(None, arrays["lexicon_dense_weights"], arrays["lexicon_thresholds"])
        language_heads = {
            language: Head(None, arrays[f"lexicon_dense_weights_{language}"], arrays[f"lexicon_thresholds_{language}"])
            for language in metadata.get("lexicon_head_languages", [])
        }
        return cls(full, lexicon_only, frozenset(metadata["ngram_languages"]), metadata, language_heads)


def _check_shapes(path: Path, arrays: dict, metadata: dict) -> None:
    expected = {"ngram_weights": (DIMENSION,), "dense_weights": (len(DENSE_NAMES),), "thresholds": (4,),
                "lexicon_dense_weights": (len(DENSE_NAMES),), "lexicon_thresholds": (4,)}
    for language in metadata.get("lexicon_head_languages", []):
        expected[f"lexicon_dense_weights_{language}"] = (len(DENSE_NAMES),)
        expected[f"lexicon_thresholds_{language}"] = (4,)
    for name, shape in expected.items():
        if name not in arrays or arrays[name].shape != shape:
            got = arrays[name].shape if name in arrays else "missing"
            raise ModelFileError(f"{path}: {name} should have shape {shape}, got {got}; the file was made for "
                                 "other features: retrain it with benchmarks/nlp_train_star_model.py")
    if "ngram_languages" not in metadata:
        raise ModelFileError(f"{path}: metadata has no ngram_languages; retrain it with benchmarks/nlp_train_star_model.py")
    if metadata.get("stars_from", "expected") not in ("expected", "latent"):
        raise ModelFileError(f"{path}: metadata stars_from is {metadata['stars_from']!r}, expected 'expected' or "
                             "'latent'; retrain it with benchmarks/nlp_train_star_model.py")


@cache
def default_star_model() -> StarModel:
    """The model shipped with starwatch, loaded once per process."""
    return StarModel.load(DEFAULT_MODEL_PATH)

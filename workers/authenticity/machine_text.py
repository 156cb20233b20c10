"""How likely a review text was machine-generated: a small linear detector shipped with starwatch.

Why this model: it is trained on the labelled set of Salminen et al. 2022 (original Amazon
reviews vs GPT-2-generated fakes; see ``models/README.md`` and
``benchmarks/authenticity_train_detector.py``), needs only numpy, weighs about 150 kB, loads
without any download and scores thousands of texts per second.

How it scores: the text's features are word 1–3-grams, character 3–5-grams and two cues
generated texts often show (no final punctuation: cut mid-sentence; no leading capital),
each hashed with CRC-32 into 2^20 buckets. Only buckets seen at least twice in training are
"known". The known features of a text, weighted equally and L2-normalised, are summed with
the trained weights (int8 with one scale); a logistic function turns the sum into a probability.

Limits, said wherever the probability is shown: it was trained on English product reviews
and on one generator (GPT-2); texts in other languages or shorter than ``MIN_WORDS`` get no
score, and a modern generator may pass unnoticed. Reads no settings.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

BUCKETS = 2**20
WORD_NGRAMS = (1, 2, 3)
CHAR_NGRAMS = (3, 4, 5)
MIN_WORDS = 8
SCORED_LANGUAGES = ("en",)
DEFAULT_MODEL_PATH = Path(__file__).with_name("models") / "machine_text_en_v1.npz"
_TOKEN = re.compile(r"[a-z0-9']+|[^\sa-z0-9']")
_FINAL_PUNCTUATION = tuple('.!?)"\'…')


class DetectorFileError(Exception):
    """The detector's weight file is missing or damaged; the message says how to rebuild it."""


def feature_names(text: str) -> set[str]:
    """The distinct features of ``text`` (what the detector looks at), before hashing."""
    lowered = text.lower()
    tokens = _TOKEN.findall(lowered)
    features: set[str] = set()
    for size in WORD_NGRAMS:
        features.update("w" + " ".join(tokens[i:i + size]) for i in range(len(tokens) - size + 1))
    spaced = " " + " ".join(lowered.split()) + " "
    for size in CHAR_NGRAMS:
        features.update("c" + spaced[i:i + size] for i in range(len(spaced) - size + 1))
    stripped = text.strip()
    features.add("end:punct" if stripped.endswith(_FINAL_PUNCTUATION) else "end:none")
    features.add("start:upper" if stripped[:1].isupper() else "start:other")
    return features


def feature_buckets(text: str) -> np.ndarray:
    """Sorted distinct bucket indices of the text's features (CRC-32, stable across runs)."""
    buckets = {zlib.crc32(name.encode("utf-8")) % BUCKETS for name in feature_names(text)}
    return np.fromiter(sorted(buckets), dtype=np.int64, count=len(buckets))


@dataclass(frozen=True, eq=False)
class MachineTextDetector:
    """Trained weights: ``weights[b] * scale`` for each known bucket ``b``, plus ``bias``."""

    weights: np.ndarray  # int8, BUCKETS long
    known: np.ndarray  # bool, BUCKETS long
    scale: float
    bias: float
    metadata: dict

    def probability(self, text: str) -> float:
        """Probability (0–1) that ``text`` is machine-generated, whatever its language or length."""
        buckets = feature_buckets(text)
        buckets = buckets[self.known[buckets]]
        if not len(buckets):
            return _sigmoid(self.bias)
        total = float(self.weights[buckets].astype(np.float64).sum()) * self.scale
        return _sigmoid(total / math.sqrt(len(buckets)) + self.bias)

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path, weights=self.weights.astype(np.int8), known=np.packbits(self.known),
            scale=np.float64(self.scale), bias=np.float64(self.bias),
            metadata=np.array(json.dumps(self.metadata, sort_keys=True)),
        )


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, value))))


def load_detector(path: Path | str = DEFAULT_MODEL_PATH) -> MachineTextDetector:
    """Read a detector file written by ``MachineTextDetector.save``."""
    try:
        with np.load(Path(path), allow_pickle=False) as data:
            weights = data["weights"].astype(np.int8)
            known = np.unpackbits(data["known"])[:BUCKETS].astype(bool)
            detector = MachineTextDetector(weights, known, float(data["scale"]), float(data["bias"]),
                                           json.loads(str(data["metadata"])))
    except (OSError, KeyError, ValueError) as exc:
        raise DetectorFileError(
            f"the machine-text detector file {path} cannot be read ({exc}); reinstall starwatch or rebuild it "
            "with `python benchmarks/authenticity_train_detector.py --save`"
        ) from None
    if len(weights) != BUCKETS:
        raise DetectorFileError(f"{path} holds {len(weights)} weights, expected {BUCKETS}; rebuild it with "
                                "`python benchmarks/authenticity_train_detector.py --save`")
    return detector


@cache
def default_detector() -> MachineTextDetector:
    """The shipped detector, loaded once per process."""
    return load_detector(DEFAULT_MODEL_PATH)


def machine_generated_likelihood(text: str, language: str | None = "en") -> float | None:
    """Probability that ``text`` was machine-generated, or None when the detector cannot judge it.

    :param language: the text's language; only English texts are scored (see the module docstring).

    >>> machine_generated_likelihood("Trop court.", "fr") is None
    True
    """
    if language not in SCORED_LANGUAGES or len((text or "").split()) < MIN_WORDS:
        return None
    return default_detector().probability(text)

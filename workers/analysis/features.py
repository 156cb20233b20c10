"""What the star model sees in a text: hashed word n-grams and lexicon polarities.

Shared by inference (``workers.analysis.star_model``) and by the training script
(``benchmarks/nlp_train_star_model.py``), so that both always compute the same features.

- Words are lowercased and stripped of accents, and ``!``/``?`` count as words.
- Negation is marked: the three words after "not", "never", "n't", "pas", "jamais"... get a
  ``neg_`` prefix until the next punctuation, so "not good" and "good" are different features
  for a linear model.
- Unigrams and bigrams are hashed with CRC-32 (stable across processes, unlike ``hash()``)
  into ``2**HASH_BITS`` buckets. A text's vector holds 1/n for each of its n distinct buckets
  (a mean), so a short sentence and a long review give latents on the same scale (the model
  scores both: reviews, and the sentences that carry an aspect).
- Dense features summarise the lexicon polarity of the sentences (VADER for English,
  starwatch's French lexicon for French): mean, most negative, most positive, first and last,
  the shares of negative and of positive sentences, and the balance of positive against negative
  sentences grown with their number (a long review with one complaint among ten compliments is not
  a short one with one complaint and one compliment). The shares and balance lowered the star
  error and lifted the recall of negative reviews on the validation split of the real reviews
  (``benchmarks/nlp_train_star_model.py``).

Reads no settings.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from functools import lru_cache

import numpy as np

HASH_BITS = 18
DIMENSION = 1 << HASH_BITS
NEGATION_SCOPE = 3
DENSE_NAMES = ("lexicon_mean", "lexicon_min", "lexicon_max", "lexicon_first", "lexicon_last",
               "negative_share", "positive_share", "sign_balance")
POLARITY_BAND = 0.05  # a sentence counts as negative / positive beyond it (VADER's neutral band)

NEGATORS = frozenset({
    "not", "no", "never", "t", "nothing", "nobody", "none", "neither", "nor", "without", "hardly", "cannot",
    "ne", "n", "pas", "jamais", "rien", "aucun", "aucune", "sans", "ni", "guere",
})
_TOKEN = re.compile(r"[a-z0-9]+|[!?]|[.,;:]")
_SCOPE_BREAK = re.compile(r"[.,;:!?]")
_COMBINING = re.compile(r"[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lowercase without accents ("Déçu" -> "decu")."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.lower()))


def tokens(text: str) -> list[str]:
    """Folded words with negation marking; ``!`` and ``?`` kept as words.

    >>> tokens("Pas bon, mais l'accueil est TOP!")
    ['pas', 'neg_bon', 'mais', 'l', 'accueil', 'est', 'top', '!']
    """
    marked: list[str] = []
    scope = 0
    for match in _TOKEN.finditer(fold(text)):
        word = match.group()
        if _SCOPE_BREAK.match(word):
            scope = 0
            if word in "!?":
                marked.append(word)
            continue
        if word in NEGATORS:
            marked.append(word)
            scope = NEGATION_SCOPE
        elif scope:
            marked.append("neg_" + word)
            scope -= 1
        else:
            marked.append(word)
    return marked


@lru_cache(maxsize=500_000)
def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) & (DIMENSION - 1)


def hashed_ngrams(text: str) -> np.ndarray:
    """Sorted distinct bucket indices of the text's unigrams and bigrams (int32)."""
    words = tokens(text)
    features = words + [f"{first} {second}" for first, second in zip(words, words[1:])]
    return np.unique(np.fromiter((_bucket(f) for f in features), dtype=np.int32, count=len(features)))


def sentence_buckets(sentences: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
    """(the whole text's buckets, each sentence's buckets).

    N-grams never cross a sentence boundary, so the text's features are exactly the union of
    its sentences' features: the model scores a review and each of its sentences from one
    hashing pass.
    """
    rows = [hashed_ngrams(sentence) for sentence in sentences]
    if not rows:
        return np.zeros(0, dtype=np.int32), rows
    return np.unique(np.concatenate(rows)), rows


def dense_features(polarities: list[float]) -> np.ndarray:
    """The ``DENSE_NAMES`` summary of per-sentence lexicon polarities (zeros when none)."""
    if not polarities:
        return np.zeros(len(DENSE_NAMES), dtype=np.float32)
    values = np.asarray(polarities, dtype=np.float32)
    negative, positive = values < -POLARITY_BAND, values > POLARITY_BAND
    balance = (int(positive.sum()) - int(negative.sum())) / np.sqrt(len(values))
    return np.array([values.mean(), values.min(), values.max(), values[0], values[-1],
                     negative.mean(), positive.mean(), balance], dtype=np.float32)



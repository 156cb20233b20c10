"""py3langid's ``classify`` for a whole batch of texts at once: same model, same answers.

py3langid walks its byte automaton in a Python loop, one text and one byte at a time, then
scores each text with its own small matrix product; for a batch of reviews that was about a
tenth of the whole analysis. ``BatchLanguageIdentifier`` runs the same automaton over every
text of a batch together (one numpy step per byte position, all texts in parallel), counts
the features of all texts with one sort, then scores each text exactly as py3langid does:
``log1p(counts) · table + prior``, scaled by ``1/sqrt(bytes)``, softmax, script aliases folded.

Answers are py3langid's own: the same language, and a confidence equal to a few parts per
million (floating-point sums taken in another order). ``tests/workers/test_language.py``
compares both on texts in several languages and scripts.

It reads py3langid's model attributes (``tk_nextmove``, ``tk_row``, ``tk_output``,
``nb_ptc``, ``nb_pc``, ``nb_classes``, as in py3langid 0.4); ``ModelLayoutError`` is raised
when they are not there, and ``workers.analysis.language`` then uses py3langid text by text.
Reads no settings.
"""

from __future__ import annotations

import unicodedata
from typing import Sequence

import numpy as np


class ModelLayoutError(RuntimeError):
    """The py3langid model does not have the attributes this module reads."""


def encode(text: str) -> bytes:
    """The bytes py3langid classifies: all-caps text lowercased, NFC, UTF-8."""
    if text.isupper():
        text = text.lower()
    return unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")


class BatchLanguageIdentifier:
    """Classify many texts at once with a py3langid ``LanguageIdentifier`` built with ``norm_probs=True``.

    Example::

        batch = BatchLanguageIdentifier(identifier)
        batch.classify(["Le service était lent.", "Great coffee."])  # [("fr", 0.99..), ("en", 0.99..)]
    """

    def __init__(self, identifier) -> None:
        try:
            self._next = np.asarray(identifier.tk_nextmove)
            self._row_base = np.asarray(identifier.tk_row).astype(np.int64) << 8
            self._output = np.asarray(identifier.tk_output, dtype=np.int64)
            self._table = np.asarray(identifier.nb_ptc)
            self._prior = np.asarray(identifier.nb_pc, dtype=np.float32)
            self._classes = list(identifier.nb_classes)
        except (AttributeError, TypeError, ValueError) as exc:
            raise ModelLayoutError(f"py3langid's model layout is not the one expected ({exc})") from None
        if self._table.ndim != 2 or self._table.shape[1] != len(self._classes) or self._next.ndim != 1:
            raise ModelLayoutError("py3langid's model layout is not the one expected (table shapes)")
        # A label listed twice (a language in two scripts) gets the sum of both, as in py3langid.
        first: dict[str, int] = {}
        self._aliases: list[tuple[int, int]] = []
        for index, label in enumerate(self._classes):
            if label in first:
                self._aliases.append((first[label], index))
            else:
                first[label] = index

    def classify(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """``(language, confidence)`` per text, as py3langid's ``classify`` gives it.

        Meant for short texts (``workers.analysis.language`` passes 200-character prefixes): the
        work grows with the longest text times the number of texts.
        """
        if not texts:
            return []
        data = [encode(text) for text in texts]
        lengths = np.fromiter(map(len, data), dtype=np.int64, count=len(data))
        features, counts, bounds = self._features(data, lengths)
        scores = np.zeros((len(data), len(self._classes)), dtype=np.float32)
        for number in range(len(data)):
            start, end = bounds[number], bounds[number + 1]
            if end > start:  # a text with no feature keeps zeros, as in py3langid
                scores[number] = counts[start:end] @ self._table[features[start:end]] + self._prior
        scores *= (1.0 / np.sqrt(np.maximum(lengths, 1))).astype(np.float32)[:, None]
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        scores /= scores.sum(axis=1, keepdims=True)
        for kept, folded in self._aliases:
            scores[:, kept] += scores[:, folded]
            scores[:, folded] = 0.0
        best = scores.argmax(axis=1)
        return [(self._classes[index], float(scores[number, index])) for number, index in enumerate(best)]

    def _features(self, data: list[bytes], lengths: np.ndarray):
        """Every text's distinct features with ``log1p(count)``, sorted by text; ``bounds[k]`` is
        where text ``k``'s start."""
        count, width = len(data), int(lengths.max())
        inside = np.arange(width)[:, None] < lengths[None, :]  # (position, text)
        grid = np.zeros((width, count), dtype=np.uint8)
        grid.T[inside.T] = np.frombuffer(b"".join(data), dtype=np.uint8)
        states = np.empty((width, count), dtype=np.uint32)
        state = np.zeros(count, dtype=np.int64)
        for position in range(width):  # the automaton of every text moves one byte
            state = self._next[self._row_base[state] + grid[position]]
            states[position] = state
        found = self._output[states]
        keep = inside & (found >= 0)
        owners = np.broadcast_to(np.arange(count, dtype=np.int64), (width, count))[keep]
        rows = len(self._table)
        keys, counts = np.unique(owners * rows + found[keep], return_counts=True)
        owner = keys // rows
        bounds = np.searchsorted(owner, np.arange(count + 1))
        return keys - owner * rows, np.log1p(counts.astype(np.float32)), bounds

"""Which language a review or mention is written in, offline, with py3langid.

py3langid ships its model inside the package (no download at run time) and classifies a
review in well under a millisecond; its model takes about a second to load, so it is loaded
once per process, on first use.

Detection was a tenth of the analysis time, so it is kept small:
- only the first ``DETECTION_CHARS`` characters are classified: the cost grows with the text,
  and on 6,400 real English and French reviews 200 characters gave the same answer as 400;
- a batch of texts is classified at once (``guess_plain_languages``, with
  ``workers.analysis.langid_batch``: py3langid's model and answers, without its per-byte
  Python loop);
- the model's feature table is widened from float16 to float32 once, at load: the scores are
  the same (they were summed in float32 anyway) and reading the table takes half the time.

Short texts are where language identifiers guess: "Très bon" comes out as Wolof and "Nul" as
Latin. So a guess below ``MIN_CONFIDENCE`` is reported as unknown (``None``) and the caller
falls back to the language the page declared (see ``workers.analysis.analyzer``). Texts with
fewer than ``MIN_LETTERS`` letters (empty, emoji only, "ok") are never guessed.

Reads no settings.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from functools import cache
from typing import Callable, Sequence

import numpy as np

from workers.analysis.text import letter_count, shorten_for_analysis, to_plain_text

logger = logging.getLogger(__name__)

MIN_LETTERS = 4
MIN_CONFIDENCE = 0.5
# Language is settled long before this (see the module docstring); classifying more only costs time.
DETECTION_CHARS = 200


@dataclass(frozen=True)
class LanguageGuess:
    """An ISO 639-1 code (``"fr"``) and py3langid's normalised probability for it (0..1)."""

    language: str
    confidence: float


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    table = getattr(identifier, "nb_ptc", None)
    if isinstance(table, np.ndarray) and table.dtype == np.float16:
        identifier.nb_ptc = table.astype(np.float32)  # same scores, half the time (module docstring)
    return identifier


@cache
def _classifier() -> Callable[[list[str]], list[tuple[str, float]]]:
    """Texts -> ``(language, confidence)`` each: a whole batch at once (``langid_batch``), or
    py3langid text by text if its model is not laid out as that module expects."""
    from workers.analysis.langid_batch import BatchLanguageIdentifier, ModelLayoutError

    identifier = _identifier()
    try:
        return BatchLanguageIdentifier(identifier).classify
    except ModelLayoutError as exc:
        logger.warning("%s; detecting languages text by text (slower, same answers)", exc)
        return lambda texts: [identifier.classify(text) for text in texts]


def guess_language(text: str | None) -> LanguageGuess | None:
    """The most likely language with its confidence, or ``None`` when there are too few letters.

    Markup is stripped first, so ``<p>`` tags do not vote for English.
    """
    return guess_plain_languages([to_plain_text(text)])[0]


def guess_plain_languages(plain_texts: Sequence[str]) -> list[LanguageGuess | None]:
    """``guess_language`` of many texts already through ``to_plain_text``, classified together."""
    guesses: list[LanguageGuess | None] = [None] * len(plain_texts)
    wanted = [number for number, plain in enumerate(plain_texts) if letter_count(plain) >= MIN_LETTERS]
    prefixes = [shorten_for_analysis(plain_texts[number], DETECTION_CHARS, 0) for number in wanted]
    for number, (language, confidence) in zip(wanted, _classifier()(prefixes)):
        guesses[number] = LanguageGuess(language=language, confidence=confidence)
    return guesses


@cache
def _restricted_identifier(languages: tuple[str, ...]):
    # A shallow copy shares the loaded model (reading it again took a second and ~50 MB);
    # set_languages gives the copy its own narrowed tables and leaves the original whole.
    identifier = copy.copy(_identifier())
    identifier.set_languages(list(languages))
    return identifier


def guess_among(text: str | None, languages: tuple[str, ...]) -> LanguageGuess | None:
    """The most likely of ``languages`` only ("Great coffee & rude staff" is unsure among all
    languages, but clearly English among English and French); ``None`` for too few letters."""
    plain = to_plain_text(text)
    if letter_count(plain) < MIN_LETTERS or not languages:
        return None
    language, confidence = _restricted_identifier(tuple(sorted(languages))).classify(
        shorten_for_analysis(plain, DETECTION_CHARS, 0))
    return LanguageGuess(language=language, confidence=confidence)


def detect_language(text: str | None) -> str | None:
    """ISO 639-1 code of the text's language, or ``None`` when it cannot be told reliably.

    >>> detect_language("Le plat était froid et le serveur désagréable.")
    'fr'
    >>> detect_language("👍👍") is None
    True
    """
    guess = guess_language(text)
    if guess is None or guess.confidence < MIN_CONFIDENCE:
        return None
    return guess.language

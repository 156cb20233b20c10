"""Which language a review or mention is written in, offline, with py3langid.

py3langid ships its model inside the package (no download at run time) and classifies a
review in well under a millisecond; its model takes about a second to load, so it is loaded
once per process, on first use.

Short texts are where language identifiers guess: "Très bon" comes out as Wolof and "Nul" as
Latin. So a guess below ``MIN_CONFIDENCE`` is reported as unknown (``None``) and the caller
falls back to the language the page declared (see ``workers.analysis.analyzer``). Texts with
fewer than ``MIN_LETTERS`` letters (empty, emoji only, "ok") are never guessed.

Reads no settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from workers.analysis.text import letter_count, shorten_for_analysis, to_plain_text

MIN_LETTERS = 4
MIN_CONFIDENCE = 0.5
# Language is settled long before this (py3langid is 0.99+ on English/French reviews of this
# length); its cost grows with the text, so classifying more only costs time.
DETECTION_CHARS = 400


@dataclass(frozen=True)
class LanguageGuess:
    """An ISO 639-1 code (``"fr"``) and py3langid's normalised probability for it (0..1)."""

    language: str
    confidence: float


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def guess_language(text: str | None) -> LanguageGuess | None:
    """The most likely language with its confidence, or ``None`` when there are too few letters.

    Markup is stripped first, so ``<p>`` tags do not vote for English.
    """
    plain = to_plain_text(text)
    if letter_count(plain) < MIN_LETTERS:
        return None
    language, confidence = _identifier().classify(shorten_for_analysis(plain, DETECTION_CHARS, 0))
    return LanguageGuess(language=language, confidence=confidence)


@cache
def _restricted_identifier(languages: tuple[str, ...]):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
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

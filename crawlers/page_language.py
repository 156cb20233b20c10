"""Which language a crawled page is in, and whether its source expected it.

A source may list the languages its pages should be in (``languages: [fr, en]`` in its
configuration, ``search.documents.Source.languages``). A page in another language still has its
reviews kept and tagged (the workers detect each review's language); it is only counted, so an
operator sees that a source serves, say, its Polish pages to us: ``starwatch/pages/unexpected_language``
and ``starwatch/pages/unexpected_language/<code>`` in the crawl stats.

The page's language is the one it declares (``<html lang="pl">``), else the one py3langid reads
in the text of its reviews. The detector (py3langid, which ships its model, nothing downloaded)
loads in about a second, once per process and only for sources that list languages; a guess
below ``MIN_CONFIDENCE`` or from fewer than ``MIN_LETTERS`` letters says nothing. Pure logic
besides that lazy load; no settings are read.
"""

from __future__ import annotations

import functools
import re

MIN_CONFIDENCE = 0.5
MIN_LETTERS = 20  # "Top !" or "ok" do not tell a language
DETECTION_CHARS = 600  # enough text to tell the language; more only costs time
_LANGUAGE_TAG = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]+)*$", re.IGNORECASE)


def language_tag_code(tag: str | None) -> str | None:
    """``"pl-PL"`` → ``"pl"``; None for anything that is not a language tag."""
    match = _LANGUAGE_TAG.match((tag or "").strip())
    return match[1].lower() if match else None


@functools.cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_text_language(texts: list[str]) -> str | None:
    """The language of these texts read together, or None when too short or too uncertain.

    >>> detect_text_language(["Świetna kawa i bardzo miła obsługa.", "Zimna kawa, długo czekałem."])
    'pl'
    """
    sample = " ".join(text for text in texts if text)[:DETECTION_CHARS]
    if sum(character.isalpha() for character in sample) < MIN_LETTERS:
        return None
    language, confidence = _identifier().classify(sample)
    return language if confidence >= MIN_CONFIDENCE else None


def page_language(declared: str | None, texts: list[str]) -> str | None:
    """The page's declared language (``<html lang>``), else the one detected in ``texts``."""
    return language_tag_code(declared) or detect_text_language(texts)


def unexpected_language(expected: list[str], declared: str | None, texts: list[str]) -> str | None:
    """The page's language when ``expected`` is set and does not list it; None otherwise.

    A page whose language is neither declared nor readable is not counted: nothing says it is
    in another language.

    :param expected: the source's ``languages`` (empty: no check, and no detection is run).
    :param declared: the page's ``<html lang>`` value.
    :param texts: the review texts of the page, for detection when nothing is declared.
    """
    if not expected:
        return None
    language = page_language(declared, texts)
    return language if language is not None and language not in expected else None

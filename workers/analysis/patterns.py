"""Turn the terms written in ``config/aspects/*.yaml`` into accent- and case-blind regexes.

A term is what a person writes in the YAML file, e.g. ``frais cachés``, ``rembours*`` or
``5 stars ~ please``:

- words are separated by spaces and match across any run of spaces, apostrophes or hyphens
  ("mettez moi" matches "mettez-moi");
- accents and case do not matter ("frais caches" matches "FRAIS CACHÉS");
- ``*`` at the end of a word allows any ending ("rembours*": remboursé, remboursement...);
- ``~`` alone stands for up to three other words ("five stars ~ please" matches "five stars
  for me please");
- a term starting with ``re:`` is a Python regular expression used as is (for the rare case
  the simple syntax cannot say).

Matching runs on the original text, so every match's offsets point into the text the user
sees: that is what makes evidence spans quotable. ``compile_terms`` checks every term and gives
one regex per label; ``workers.analysis.term_index`` reads the same syntax word by word, which
is how texts are actually searched. Reads no settings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

_ACCENTED = {
    "a": "aàâäáãå", "c": "cç", "e": "eéèêë", "i": "iîïíì", "n": "nñ", "o": "oôöóòõ", "u": "uùûüú", "y": "yÿý",
}
_SEPARATOR = r"[\s'’\-]+"
_GAP = r"(?:[\s'’\-]+[\w’']+){0,3}"


class PatternError(ValueError):
    """A term in a YAML file cannot be compiled; the message names the file and the term."""


_COMBINING = re.compile(r"[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lowercase without accents: ``"Déçu"`` -> ``"decu"``."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.lower()))


def _word_regex(word: str) -> str:
    prefix = word.endswith("*") and len(word) > 1
    letters = fold(word[:-1] if prefix else word)
    body = "".join(f"[{_ACCENTED[ch]}]" if ch in _ACCENTED else "['’]" if ch in "'’" else re.escape(ch)
                   for ch in letters)
    return body + (r"\w*" if prefix else "")


def term_regex(term: str) -> str:
    """The regex source for one term (see the module docstring for the syntax)."""
    if term.startswith("re:"):
        return term[3:].strip()
    parts = term.split()
    if not parts:
        raise PatternError("empty term")
    pieces: list[str] = []
    for index, part in enumerate(parts):
        if part == "~":
            pieces.append(_GAP)
            continue
        if index:
            pieces.append(_SEPARATOR)
        pieces.append(_word_regex(part))
    return r"(?<!\w)" + "".join(pieces) + r"(?!\w)"


@dataclass(frozen=True)
class CompiledTerms:
    """Every term of one label (an aspect, a flag) in one language, as one regex."""

    label: str
    regex: re.Pattern

    def finditer(self, text: str) -> Iterable[re.Match]:
        return self.regex.finditer(text)


def compile_terms(label: str, terms: list[str], where: str) -> CompiledTerms:
    """One alternation of all ``terms``, longest first; ``where`` names the file for errors."""
    sources = []
    for term in sorted(terms, key=len, reverse=True):
        if not isinstance(term, str):
            raise PatternError(f"{where}: {label}: terms must be strings, got {term!r}")
        try:
            source = term_regex(term)
            re.compile(source)
        except (re.error, PatternError) as exc:
            raise PatternError(f"{where}: {label}: term {term!r} cannot be used ({exc}); "
                               "fix it or remove it from the file") from None
        sources.append(source)
    if not sources:
        raise PatternError(f"{where}: {label}: no terms; add at least one term or remove the entry")
    return CompiledTerms(label, re.compile("|".join(f"(?:{s})" for s in sources), re.IGNORECASE))


def preceded_by(text: str, start: int, words: frozenset[str], window: int = 3) -> bool:
    """Whether one of ``words`` (folded) is among the ``window`` words before ``start``.

    Used to skip negated evidence: "not a scam", "pas d'arnaque", "no hidden fees".
    """
    before = re.findall(r"\w+", fold(text[max(0, start - 60) : start]))
    return any(word in words for word in before[-window:])


def fold_words(words: Iterable[str]) -> frozenset[str]:
    return frozenset(fold(word) for word in words)

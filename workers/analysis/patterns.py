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
sees: that is what makes evidence spans quotable. Reads no settings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

_ACCENTED = {
    "a": "aàâäáãå", "c": "cç", "e": "eéèêë", "i": "iîïíì", "n": "nñ", "o": "oôöóòõ", "u": "uùûüú", "y": "yÿý",
}
_SEPARATOR = r"[\s'’\-]+"
_GAP = r"(?:[\s'’\-]+[\w’']+){0,3}"


class PatternError(ValueError):
    """A term in a YAML file cannot be compiled; the message names the file and the term."""


_COMBINING = re.compile(r"[\u0300-\u036f]")


def _fold(text: str) -> str:
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.lower()))


def _word_regex(word: str) -> str:
    prefix = word.endswith("*") and len(word) > 1
    letters = _fold(word[:-1] if prefix else word)
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
    before = re.findall(r"\w+", _fold(text[max(0, start - 60) : start]))
    return any(word in words for word in before[-window:])


def fold_words(words: Iterable[str]) -> frozenset[str]:
    return frozenset(_fold(word) for word in words)


# -- token index: every label of one language matched in one pass over the text's words ----------

_WORD_SPAN = re.compile(r"[^\W_]+")
_HARD_BREAK = re.compile(r"[.!?;…\n]")
MAX_GAP_WORDS = 3

TextWords = tuple[list[tuple[int, int, str]], list[bool]]


@lru_cache(maxsize=100_000)
def _fold_word(word: str) -> str:
    return _fold(word)


def text_words(text: str) -> TextWords:
    """The text's words as ``(start, end, folded word)``, and for each word whether a sentence
    end (``.``, ``!``, ``?``, ``;``, a line break) lies between it and the word before."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lowercase to two; keep offsets exact
        spans = [(m.start(), m.end(), _fold_word(m.group())) for m in _WORD_SPAN.finditer(text)]
    else:
        spans = [(m.start(), m.end(), w if (w := m.group()).isascii() else _fold_word(w))
                 for m in _WORD_SPAN.finditer(lowered)]
    break_positions = [m.start() for m in _HARD_BREAK.finditer(text)]
    breaks, pointer = [], 0
    for start, _end, _word in spans:
        crossed = False
        while pointer < len(break_positions) and break_positions[pointer] < start:
            crossed, pointer = True, pointer + 1
        breaks.append(crossed and bool(breaks or spans))
    if breaks:
        breaks[0] = False
    return spans, breaks


@dataclass(frozen=True)
class TermMatch:
    """A term found in a text: its label and the ``[start, end)`` offsets of the words matched."""

    label: str
    start: int
    end: int


def term_steps(term: str) -> tuple[tuple[str, str], ...] | None:
    """A term as steps ``("word"|"prefix"|"gap", folded value)``; ``None`` for a ``re:`` term."""
    if term.startswith("re:"):
        return None
    steps: list[tuple[str, str]] = []
    for part in term.split():
        if part == "~":
            steps.append(("gap", ""))
            continue
        words = _WORD_SPAN.findall(_fold(part.rstrip("*")))
        for index, word in enumerate(words):
            is_last = index == len(words) - 1
            steps.append(("prefix" if is_last and part.endswith("*") and len(part) > 1 else "word", word))
    return tuple(steps) if steps and steps[0][0] != "gap" else None


class TermIndex:
    """All terms of many labels in one language, looked up word by word.

    Running one regex per label over every review cost milliseconds per review; this index
    reads the text's words once and only tries the terms whose first word is there. Terms that
    are raw regexes (``re:``) or start with ``~`` are kept as regexes and run on every text.
    A term never spans a sentence end (``.``, ``!``, ``?``, ``;``, a line break).
    """

    def __init__(self) -> None:
        self.labels: list[str] = []
        self._by_word: dict[str, list[tuple[str, tuple]]] = {}
        self._by_prefix_start: dict[str, list[tuple[str, str, tuple]]] = {}
        self._regexes: list[CompiledTerms] = []

    def add(self, label: str, terms: list[str], where: str) -> None:
        compiled = compile_terms(label, terms, where)  # validates every term, names the file on error
        self.labels.append(label)
        regex_terms = []
        for term in terms:
            steps = term_steps(term)
            if steps is None:
                regex_terms.append(term)
            elif steps[0][0] == "word":
                self._by_word.setdefault(steps[0][1], []).append((label, steps))
            else:
                self._by_prefix_start.setdefault(steps[0][1][:3], []).append((steps[0][1], label, steps))
        if regex_terms:
            self._regexes.append(compile_terms(label, regex_terms, where) if len(regex_terms) < len(terms) else compiled)

    def find(self, text: str, words: "TextWords | None" = None) -> list[TermMatch]:
        """Every match of every label in ``text`` (several labels may match the same words).

        :param words: ``text_words(text)`` when the caller reads the same text with several indexes.
        """
        spans, breaks = words or text_words(text)
        found: list[TermMatch] = []
        by_word, by_prefix_start = self._by_word, self._by_prefix_start
        for index, (start, _end, word) in enumerate(spans):
            for label, steps in by_word.get(word, ()):
                end_index = _match_steps(spans, breaks, index, steps) if len(steps) > 1 else index
                if end_index is not None:
                    found.append(TermMatch(label, start, spans[end_index][1]))
            for prefix, label, steps in by_prefix_start.get(word[:3], ()):
                if word.startswith(prefix):
                    end_index = _match_steps(spans, breaks, index, steps) if len(steps) > 1 else index
                    if end_index is not None:
                        found.append(TermMatch(label, start, spans[end_index][1]))
        for compiled in self._regexes:
            found.extend(TermMatch(compiled.label, m.start(), m.end()) for m in compiled.finditer(text))
        return found


def _match_steps(spans, breaks, index: int, steps: tuple) -> int | None:
    """Index of the last word matched when ``steps`` match from word ``index``, else ``None``."""
    kind, value = steps[0]
    if index >= len(spans):
        return None
    word = spans[index][2]
    if not (word == value if kind == "word" else word.startswith(value)):
        return None
    if len(steps) == 1:
        return index
    following = steps[1:]
    if following[0][0] == "gap":
        if len(following) == 1:  # a trailing "~" asks for nothing more
            return index
        for skip in range(MAX_GAP_WORDS + 1):
            nxt = index + 1 + skip
            if nxt >= len(spans) or any(breaks[index + 1 : nxt + 1]):
                return None
            result = _match_steps(spans, breaks, nxt, following[1:])
            if result is not None:
                return result
        return None
    if index + 1 >= len(spans) or breaks[index + 1]:
        return None
    return _match_steps(spans, breaks, index + 1, following)

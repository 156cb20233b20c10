"""Split a review into sentences, keeping where each one starts and ends in the text.

Aspects and flags are found per sentence ("the food was great but the wait was endless" is
one positive and one negative judgement), and their evidence is quoted from the original
text, so each sentence is a ``(start, end)`` span into the text it came from.

A sentence ends after ``.``, ``!``, ``?``, ``…`` or ``;`` followed by a space, or at a line
break. Reviews are informal ("great coffee!! staff rude"), so a lowercase letter after the
punctuation still starts a new sentence; only a few common abbreviations ("M.", "Mr.",
"etc.", "e.g.") and decimal numbers ("4.5") do not end one. Reads no settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BOUNDARY = re.compile(r"(?:[.!?…;]+[\"'»”)\]]*)(?=\s)|\n+|\s[-–•]\s")
_ABBREVIATIONS = frozenset({"m", "mr", "mrs", "ms", "dr", "st", "mme", "mlle", "etc", "e.g", "i.e", "vs", "no", "p.ex"})
MAX_SENTENCES = 200


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text and its ``[start, end)`` offsets in the source text."""

    text: str
    start: int
    end: int


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text``, stripped, empty ones dropped, at most ``MAX_SENTENCES``.

    >>> [s.text for s in split_sentences("Super café ! Mais 20 min d'attente. M. Dupont est top")]
    ['Super café !', "Mais 20 min d'attente.", 'M. Dupont est top']
    """
    sentences: list[Sentence] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        if _is_abbreviation(text, boundary.start(), boundary.group()):
            continue
        _append(sentences, text, start, boundary.end())
        start = boundary.end()
        if len(sentences) >= MAX_SENTENCES - 1:
            break
    _append(sentences, text, start, len(text))
    return sentences


def _is_abbreviation(text: str, position: int, punctuation: str) -> bool:
    if punctuation != ".":
        return False
    word = re.search(r"([\w.]+)$", text[max(0, position - 6) : position])
    return bool(word) and word.group(1).lower() in _ABBREVIATIONS


def _append(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip(" \t\r\n-–•")
    if not any(char.isalnum() for char in stripped):
        if sentences and stripped:  # "!!!" or an emoji alone belongs to the previous sentence
            previous = sentences[-1]
            sentences[-1] = Sentence(text[previous.start : end].rstrip(), previous.start, previous.start + len(text[previous.start : end].rstrip()))
        return
    offset = start + chunk.index(stripped)
    sentences.append(Sentence(stripped, offset, offset + len(stripped)))

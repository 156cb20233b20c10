"""Find aspects and flags in a text, with the sentence and the words that show them.

Aspects (``cx`` criteria and domain aspects) are searched in the text's own language, because
words change meaning across languages ("sale" is a bargain in English and dirty in French);
when the language is unknown every language is tried. Flags (integrity complaints,
solicitation) are searched in every language the definitions have: their terms are specific
("frais cachés", "in exchange for my honest review") and a French review quoting an English
"scam" is still an allegation. A flag term preceded by a negator within three words does not
count ("not a scam", "aucun frais caché").

Every term of every language and kind sits in one index (``Definitions.matcher``), so a text's
words are read once; ``find_tags`` gives aspects and flags from that one read.

Reads no settings: the definitions come from ``workers.analysis.definitions``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from workers.analysis.definitions import Definitions
from workers.analysis.patterns import preceded_by
from workers.analysis.sentences import Sentence
from workers.analysis.term_index import TermMatch, TextWords, text_words

MAX_EVIDENCE_PER_FLAG = 3


@dataclass(frozen=True)
class Evidence:
    """Where a flag was found: the matched words and their sentence, as offsets into the text."""

    flag: str
    match: str
    start: int
    end: int
    sentence: str


@dataclass(frozen=True)
class Tags:
    """What one text mentions: aspect name -> indexes of its sentences, and flag evidence."""

    aspects: dict[str, list[int]]
    evidence: list[Evidence]

    @property
    def aspect_sentences(self) -> list[int]:
        """Indexes of the sentences carrying an aspect: the only ones whose sentiment is needed."""
        return sorted({index for indexes in self.aspects.values() for index in indexes})


def find_tags(text: str, sentences: list[Sentence], language: str | None, definitions: Definitions,
              words: TextWords | None = None) -> Tags:
    """Aspects (``find_aspects``) and flags (``find_flags``) of ``text`` from one read of its words."""
    matches = definitions.matcher.find(text, words or text_words(text))
    return Tags(_aspects(matches, sentences, language, definitions), _evidence(text, matches, sentences, definitions))


def find_aspects(text: str, sentences: list[Sentence], language: str | None,
                 definitions: Definitions, words: TextWords | None = None) -> dict[str, list[int]]:
    """Aspect name -> indexes of the sentences that mention it (in order, no repeats)."""
    return _aspects(definitions.matcher.find(text, words or text_words(text)), sentences, language, definitions)


def find_flags(text: str, sentences: list[Sentence], definitions: Definitions,
               words: TextWords | None = None) -> list[Evidence]:
    """Evidence for every flag found, at most ``MAX_EVIDENCE_PER_FLAG`` per flag, in text order."""
    return _evidence(text, definitions.matcher.find(text, words or text_words(text)), sentences, definitions)


def _aspects(matches: list[TermMatch], sentences: list[Sentence], language: str | None,
             definitions: Definitions) -> dict[str, list[int]]:
    languages = [language] if language in definitions.aspects else list(definitions.aspects)
    starts = [sentence.start for sentence in sentences]
    found: dict[str, set[int]] = {}
    for lang in languages:
        for match in matches:
            if match.kind == "aspect" and match.language == lang:
                index = _sentence_index(starts, match.start)
                if index is not None:
                    found.setdefault(match.label, set()).add(index)
    return {label: sorted(indexes) for label, indexes in found.items()}


def _evidence(text: str, matches: list[TermMatch], sentences: list[Sentence],
              definitions: Definitions) -> list[Evidence]:
    starts = [sentence.start for sentence in sentences]
    evidence: dict[str, list[Evidence]] = {}
    for language in definitions.flags:
        ours = [m for m in matches if m.kind == "flag" and m.language == language]
        for match in sorted(ours, key=lambda m: (m.start, -m.end)):
            negators = definitions.negators.get(match.label.split(":", 1)[0], {}).get(language, frozenset())
            if match.label not in definitions.not_negatable and preceded_by(text, match.start, negators):
                continue
            found = evidence.setdefault(match.label, [])
            if len(found) < MAX_EVIDENCE_PER_FLAG and all(e.start != match.start for e in found):
                position = _sentence_index(starts, match.start)
                matched = text[match.start:match.end]
                sentence = sentences[position].text if position is not None else matched
                found.append(Evidence(match.label, matched, match.start, match.end, sentence))
    return sorted((e for items in evidence.values() for e in items), key=lambda e: (e.start, e.flag))


def _sentence_index(starts: list[int], position: int) -> int | None:
    index = bisect.bisect_right(starts, position) - 1
    return index if index >= 0 else (0 if starts else None)

"""A small French sentiment scorer for reviews: a lexicon in a data file plus a few French rules.

Why our own: no maintained, offline, permissively licensed French scorer exists on PyPI (see
``workers.analysis.sentiment``). Reviews use a small vocabulary, so a lexicon of review words
with these rules gets the common cases right:

- accents and case are folded ("DÉÇU", "decu" and "déçu" are one word), elisions split
  ("n'est" is "n" + "est"), and plural/feminine forms fall back to the masculine singular
  ("délicieuses" finds "délicieux");
- multi-word expressions are matched first and win over their words: "pas terrible" is
  negative and "pas mal" positive, whatever "terrible" and "mal" say alone;
- negation ("ne", "n'", "pas", "jamais", "aucun", "rien", "sans", "peu"...) within the three
  words before an opinion word flips it and weakens it ("pas bon" is less negative than
  "mauvais"); "un peu" softens instead, and "ne ... que" ("only") does not negate;
- intensifiers ("très", "vraiment", "trop") and softeners ("assez", "plutôt") just before an
  opinion word strengthen or weaken it;
- after "mais", the clause counts more than before it ("bon mais cher" leans on "cher");
- exclamation marks strengthen the whole text a little.

The sum of valences is squashed into [-1, 1] with ``x / sqrt(x² + 15)`` so long texts saturate
instead of growing without bound.

The lexicon (``lexicon_fr.txt``, beside this module) holds lines ``expression<TAB>valence``
with valences from -4 to +4, masculine singular forms and ``#`` comments. Reads no settings.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import cache
from pathlib import Path

LEXICON_PATH = Path(__file__).with_name("lexicon_fr.txt")

NEGATORS = frozenset({"ne", "n", "pas", "jamais", "aucun", "aucune", "rien", "sans", "ni", "guere", "nullement"})
NEGATION_WINDOW = 3
NEGATION_FACTOR = -0.6
INTENSIFIERS = frozenset({"tres", "vraiment", "trop", "tellement", "extremement", "hyper", "super",
                          "absolument", "totalement", "vachement", "franchement", "particulierement",
                          "si", "carrement", "completement", "incroyablement"})
SOFTENERS = frozenset({"assez", "plutot", "moyennement", "legerement", "relativement"})
INTENSITY_STEP = 0.6
CONTRAST_WORD = "mais"
BEFORE_CONTRAST_WEIGHT = 0.5
AFTER_CONTRAST_WEIGHT = 1.5
EXCLAMATION_STEP = 0.1
MAX_EXCLAMATIONS = 3
SQUASH_ALPHA = 15
MAX_EXPRESSION_WORDS = 4

_WORD = re.compile(r"[a-z]+")


def fold(text: str) -> str:
    """Lowercase without accents: "Déçu" -> "decu"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def tokenize(text: str) -> list[str]:
    """Folded words; apostrophes and hyphens separate words ("n'est" -> ["n", "est"])."""
    return _WORD.findall(fold(text))


def base_forms(word: str) -> list[str]:
    """The word, then its likely masculine-singular forms, most specific first."""
    forms = [word]
    singular = word
    if len(word) > 3 and word.endswith("aux"):
        singular = word[:-3] + "al"
    elif len(word) > 3 and word[-1] in "sx":
        singular = word[:-1]
    forms.append(singular)
    for feminine, masculine in (("euse", "eux"), ("ive", "if"), ("nne", "n"), ("lle", "l"),
                                ("ette", "et"), ("ere", "er"), ("e", "")):
        if len(singular) > len(feminine) + 1 and singular.endswith(feminine):
            forms.append(singular[: -len(feminine)] + masculine)
            break
    return list(dict.fromkeys(forms))


@cache
def load_lexicon(path: Path = LEXICON_PATH) -> dict[tuple[str, ...], float]:
    """Folded expression (as a tuple of words) -> valence; a bad line names the file and line."""
    lexicon: dict[tuple[str, ...], float] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            expression, valence = line.rsplit("\t", 1)
            lexicon[tuple(tokenize(expression))] = float(valence)
        except ValueError:
            raise ValueError(f"{path}:{number}: expected 'expression<TAB>valence', got {line!r}") from None
    return lexicon


class FrenchLexiconScorer:
    """``polarity(text) -> float`` in [-1, 1]; see the module docstring for the rules."""

    def __init__(self, lexicon_path: Path = LEXICON_PATH) -> None:
        self._lexicon_path = lexicon_path

    def polarity(self, text: str) -> float:
        words = tokenize(text)
        valences = self._word_valences(words)
        contrast = words.index(CONTRAST_WORD) if CONTRAST_WORD in words else None
        total = 0.0
        for position, valence in valences:
            if contrast is not None:
                valence *= BEFORE_CONTRAST_WEIGHT if position < contrast else AFTER_CONTRAST_WEIGHT
            total += valence
        total *= 1 + EXCLAMATION_STEP * min(text.count("!"), MAX_EXCLAMATIONS)
        return total / math.sqrt(total * total + SQUASH_ALPHA)

    def _word_valences(self, words: list[str]) -> list[tuple[int, float]]:
        """(position, valence) of each opinion word or expression, after negation and intensity."""
        lexicon = load_lexicon(self._lexicon_path)
        found: list[tuple[int, float]] = []
        position = 0
        while position < len(words):
            match = self._match_at(words, position, lexicon)
            if match is None:
                position += 1
                continue
            length, valence, is_expression = match
            if not is_expression:
                valence = self._apply_context(words, position, valence)
            found.append((position, valence))
            position += length
        return found

    @staticmethod
    def _match_at(words, position, lexicon) -> tuple[int, float, bool] | None:
        """Longest expression starting here, else the word itself (via its base forms)."""
        for length in range(MAX_EXPRESSION_WORDS, 1, -1):
            candidate = tuple(words[position : position + length])
            if len(candidate) == length and candidate in lexicon:
                return length, lexicon[candidate], True
        for form in base_forms(words[position]):
            if (form,) in lexicon:
                return 1, lexicon[(form,)], False
        return None

    @staticmethod
    def _apply_context(words: list[str], position: int, valence: float) -> float:
        """Intensity from the word just before, then negation from the few words before."""
        previous = words[position - 1] if position > 0 else ""
        before_previous = words[position - 2] if position > 1 else ""
        magnitude = abs(valence)
        if previous in INTENSIFIERS:
            magnitude += INTENSITY_STEP
        elif previous in SOFTENERS or (previous == "peu" and before_previous == "un"):
            magnitude = max(magnitude - INTENSITY_STEP, magnitude / 2)
        valence = math.copysign(magnitude, valence)
        if _is_negated(words, position):
            valence *= NEGATION_FACTOR
        return valence


def _is_negated(words: list[str], position: int) -> bool:
    """A negator among the few words before ``position``, nearest first.

    Except "un peu" (a softener) and "ne ... que" (meaning "only": "on ne peut que recommander").
    """
    for index in range(position - 1, max(-1, position - 1 - NEGATION_WINDOW), -1):
        word = words[index]
        if word == "que" and any(w in ("ne", "n") for w in words[max(0, index - NEGATION_WINDOW) : index]):
            return False
        if word == "peu":
            if index > 0 and words[index - 1] == "un":
                continue
            return True
        if word in NEGATORS:
            return True
    return False

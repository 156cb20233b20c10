"""The one-pass term index (pure logic): same tags as one index per language, exact offsets."""

import pytest

from workers.analysis import term_index
from workers.analysis.definitions import load_definitions
from workers.analysis.patterns import fold
from workers.analysis.sentences import split_sentences
from workers.analysis.tagging import find_tags
from workers.analysis.term_index import TermIndex, text_words

DEFINITIONS = load_definitions()
EXAMPLES = [(lang, sentence) for by_lang in DEFINITIONS.examples.values()
            for lang, sentences in by_lang.items() for sentence in sentences]
REVIEWS = [
    ("en", "The staff were lovely. But we waited forty minutes, and then: hidden fees on the bill! Total scam."),
    ("en", "Not as described. I asked for a refund, still no refund. They asked me to leave a 5 star review."),
    ("en", "Received this for free in exchange for my honest review; a la carte menu was fine."),
    ("fr", "Service client injoignable, jamais remboursé. Mettez-moi 5 étoiles svp ! Frais cachés partout."),
    ("fr", "Le serveur était adorable, à l'écoute de mes envies. Par contre, quarante minutes d'attente."),
    ("fr", "Pas d'arnaque ici : aucun frais caché, tout était à la hauteur de mes attentes."),
]


def reference_find(text, words):
    """The matches of each per-language index, read one after the other (what tagging did before)."""
    found = []
    for kind, indexes in (("aspect", DEFINITIONS.aspects), ("flag", DEFINITIONS.flags)):
        for language, index in indexes.items():
            found.extend((m.label, m.start, m.end, kind, language) for m in index.find(text, words))
    return found


@pytest.mark.parametrize(("language", "text"), EXAMPLES + REVIEWS)
def test_the_merged_index_finds_what_each_language_index_finds(language, text):
    words = text_words(text)
    merged = [tuple(m) for m in DEFINITIONS.matcher.find(text, words)]
    reference = reference_find(text, words)
    assert sorted(merged) == sorted(reference)
    for kind, lang in {(m[3], m[4]) for m in reference}:  # and in the same order, index by index
        assert [m for m in merged if m[3:] == (kind, lang)] == [m for m in reference if m[3:] == (kind, lang)]


def naive_find(index, text):
    """Every term tried at every word, in the order the terms were added (no plans, no pairs)."""
    words, found = text_words(text), []
    for position, word in enumerate(words.words):
        candidates = list(index._by_word.get(word, ()))
        candidates += [(origin, steps) for prefix, origin, steps in index._by_prefix_start.get(word[:3], ())
                       if word.startswith(prefix)]
        for origin, steps in candidates:
            last = term_index._match_steps(words, position, steps)
            if last is not None:
                found.append((origin.label, words.starts[position], words.ends[last], origin.kind, origin.language))
    for origin, compiled in index._regexes:
        found += [(origin.label, m.start(), m.end(), origin.kind, origin.language) for m in compiled.finditer(text)]
    return found


@pytest.mark.parametrize(("language", "text"), EXAMPLES + REVIEWS)
def test_the_fast_path_finds_what_trying_every_term_finds(language, text):
    assert [tuple(m) for m in DEFINITIONS.matcher.find(text)] == naive_find(DEFINITIONS.matcher, text)


@pytest.mark.parametrize(("language", "text"), REVIEWS)
def test_tags_of_the_issue_examples(language, text):
    tags = find_tags(text, split_sentences(text), language, DEFINITIONS)
    assert tags.aspects and tags.aspect_sentences == sorted({i for v in tags.aspects.values() for i in v})
    for evidence in tags.evidence:
        assert text[evidence.start:evidence.end] == evidence.match and evidence.match in evidence.sentence


@pytest.mark.parametrize(("terms", "text", "found"), [
    (["a la hauteur", "a la carte"], "C'était à la hauteur. A la carte ?", ["à la hauteur", "A la carte"]),
    (["in exchange for my honest review", "in line"], "In exchange for my honest review, in line.",
     ["In exchange for my honest review", "in line"]),
    (["in exchange for my honest review"], "in exchange. For my honest review", []),
    (["hidden fee*", "hidden"], "Hidden fees; hidden", ["Hidden fees", "Hidden", "hidden"]),
    (["rembours*", "jamais rembours*"], "Jamais remboursée.", ["Jamais remboursée", "remboursée"]),
    (["5 stars ~ please"], "5 stars for me please. 5 stars. Please", ["5 stars for me please"]),
    (["mettez moi 5 étoiles"], "METTEZ-MOI 5 ÉTOILES", ["METTEZ-MOI 5 ÉTOILES"]),
])
def test_multi_word_prefix_and_gap_terms(terms, text, found):
    index = TermIndex()
    index.add("x", terms, "test")
    assert [text[m.start:m.end] for m in index.find(text)] == found


def test_matches_come_in_text_order_then_term_order():
    index = TermIndex()
    index.add("late", ["late*"], "test")
    index.add("wait", ["waited"], "test")
    index.add("both", ["waited", "late"], "test")
    text = "We waited. Late again."
    assert [(m.label, text[m.start:m.end]) for m in index.find(text)] == [
        ("wait", "waited"), ("both", "waited"), ("both", "Late"), ("late", "Late")]


@pytest.mark.parametrize("text", [
    "Déçu, très DÉÇU… l'accueil?!", "İstanbul café: ÇA VA", "a_b c-d 4.5/5 ½", "", "!!! 🙂", "mot\nmot;mot",
])
def test_words_have_exact_offsets_and_sentence_breaks(text):
    words = text_words(text)
    assert len(words.words) == len(words.starts) == len(words.ends)
    for word, start, end in zip(words.words, words.starts, words.ends):
        assert text[start:end].isalnum() and fold(text[start:end]) == word
    for first in range(len(words.words) - 1):
        between = text[words.ends[first]:words.starts[first + 1]]
        assert words.broken(first, first + 1) == any(c in ".!?;…\n" for c in between)


def test_words_past_the_memory_cap_are_still_found(monkeypatch):
    index = TermIndex()
    index.add("x", ["remboursé", "frais cachés"], "test")
    monkeypatch.setattr(term_index, "MAX_SEEN_WORDS", 2)
    text = "un deux trois quatre cinq : frais cachés, jamais remboursé"
    first, again = index.find(text), index.find(text)
    assert first == again and [text[m.start:m.end] for m in first] == ["frais cachés", "remboursé"]
    assert len(index._seen_words) <= 4  # the two words that start a term are always kept

"""The term syntax of config/aspects (pure logic) and sentence splitting."""

import pytest

from workers.analysis.patterns import PatternError, compile_terms, preceded_by, term_regex
from workers.analysis.sentences import split_sentences


@pytest.mark.parametrize(("term", "text", "found"), [
    ("frais cachés", "Des FRAIS CACHES partout", "FRAIS CACHES"),
    ("rembours*", "jamais remboursée", "remboursée"),
    ("mettez moi 5 étoiles", "Mettez-moi 5 étoiles !", "Mettez-moi 5 étoiles"),
    ("5 stars ~ please", "5 stars for me please", "5 stars for me please"),
    ("didn't refund", "they didn’t refund me", "didn’t refund"),
    ("late", "chocolate cake", None),
    ("re:\\bpl[sz]\\b", "5 stars pls", "pls"),
])
def test_term_syntax(term, text, found):
    match = compile_terms("x", [term], "test").regex.search(text)
    assert (match.group() if match else None) == found


def test_a_broken_term_names_where_it_is():
    with pytest.raises(PatternError, match="file.yaml.*price.*'re:\\('"):
        compile_terms("price", ["re:("], "file.yaml")
    with pytest.raises(PatternError):
        term_regex("   ")


def test_negators_are_looked_for_just_before():
    text = "This is not a scam. It is a scam."
    assert preceded_by(text, text.index("scam"), frozenset({"not"}))
    assert not preceded_by(text, text.rindex("scam"), frozenset({"not"}))


def test_sentences_keep_their_offsets():
    text = "Super café ! Mais 20 min d'attente. M. Dupont est top\nBref, 4.5/5"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["Super café !", "Mais 20 min d'attente.", "M. Dupont est top", "Bref, 4.5/5"]
    assert all(text[s.start:s.end] == s.text for s in sentences)
    assert split_sentences("") == [] and split_sentences("!!! 🙂") == []


@pytest.mark.parametrize(("term", "text", "found"), [
    ("frais cachés", "Des FRAIS CACHES partout", "FRAIS CACHES"),
    ("rembours*", "jamais remboursée", "remboursée"),
    ("mettez moi 5 étoiles", "Mettez-moi 5 étoiles !", "Mettez-moi 5 étoiles"),
    ("5 stars ~ please", "5 stars for me please", "5 stars for me please"),
    ("didn't refund", "they didn’t refund me", "didn’t refund"),
    ("late", "chocolate cake", None),
    ("hidden fees", "No hidden. Fees were fine.", None),  # never across a sentence end
    ("re:\\bpl[sz]\\b", "5 stars pls", "pls"),
])
def test_the_word_index_matches_like_the_regexes(term, text, found):
    from workers.analysis.term_index import TermIndex

    index = TermIndex()
    index.add("x", [term], "test")
    matches = index.find(text)
    assert ([text[m.start:m.end] for m in matches][:1] or [None])[0] == found

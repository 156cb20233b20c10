"""The safe query parser and its two renderings (pure logic, no store)."""

from __future__ import annotations

import pytest

from search.backends.base import QueryError
from search.query_text import (
    MAX_QUERY_CHARS,
    ParsedQuery,
    QueryTerm,
    fold_text,
    fold_word,
    parse_query_text,
    render_fts5,
    render_fts5_excluded,
    render_simple_query_string,
    render_simple_query_string_excluded,
)


def test_words_phrases_or_exclusions_and_prefixes():
    parsed = parse_query_text('accueil "service rapide" pizza OR pâtes -froid croiss*')
    assert parsed == ParsedQuery(
        clauses=(
            (QueryTerm(("accueil",)),),
            (QueryTerm(("service", "rapide")),),
            (QueryTerm(("pizza",)), QueryTerm(("pâtes",))),
            (QueryTerm(("croiss",), prefix=True),),
        ),
        excluded=(QueryTerm(("froid",)),),
    )


def test_fts5_rendering_quotes_every_word():
    parsed = parse_query_text('accueil "service rapide" pizza OR pâtes -froid croiss*')
    assert render_fts5(parsed) == '"accueil" AND "service rapide" AND ("pizza" OR "pâtes") AND "croiss"*'
    assert render_fts5_excluded(parsed) == '"froid"'


def test_simple_query_string_rendering_folds_and_lowercases():
    parsed = parse_query_text('Accueil "Service Rapide" pizza OR Pâtes -froid croiss* -"très lent"')
    assert render_simple_query_string(parsed) == '"accueil" + "service rapide" + ("pizza" | "pates") + croiss*'
    assert render_simple_query_string_excluded(parsed) == '"froid" | "tres lent"'


@pytest.mark.parametrize(
    ("text", "fts5"),
    [
        ('"unbalanced phrase', '"unbalanced phrase"'),
        ("col:foo", '"col foo"'),
        ("NEAR(a b)", '"NEAR a" AND "b"'),
        ('") OR 1=1 --', '"OR 1 1"'),
        ("_index:x", '"index x"'),
        ("l'accueil", '"l accueil"'),
        ("a OR", '"a"'),
        ("OR a", '"a"'),
        ("a OR OR b", '("a" OR "b")'),
        ("or and not", '"or" AND "and" AND "not"'),
        ("pizza 🍕", '"pizza"'),
        ("", ""),
        ("   ", ""),
    ],
)
def test_syntax_in_user_text_becomes_plain_words(text, fts5):
    assert render_fts5(parse_query_text(text)) == fts5


def test_multi_word_prefix_for_elasticsearch_keeps_leading_words():
    assert render_simple_query_string(parse_query_text("l'acc*")) == '("l" + acc*)'


@pytest.mark.parametrize("text", ["*:*", "🍕", '""', "-", "* * *"])
def test_text_without_words_is_a_query_error(text):
    with pytest.raises(QueryError, match="no letters or digits"):
        parse_query_text(text)


def test_too_long_and_too_many_words_are_query_errors():
    with pytest.raises(QueryError, match=f"at most {MAX_QUERY_CHARS} characters"):
        parse_query_text("x" * (MAX_QUERY_CHARS + 1))
    with pytest.raises(QueryError, match="words; use at most"):
        parse_query_text(" ".join(["mot"] * 100))


def test_folding_keeps_offsets_to_the_original():
    original = "Cafe\u0301 l’été!"
    folded, origins = fold_text(original)
    assert folded == "Cafe l ete "
    assert [original[i] for i in origins][:4] == ["C", "a", "f", "e"]
    assert origins[4] == 5  # the combining accent was dropped, the space is original index 5
    assert fold_word("Pâtés") == "pates"

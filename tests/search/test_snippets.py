"""Snippet formatting shared by the backends (pure logic)."""

from __future__ import annotations

from search.backends.snippets import MARK_END, MARK_START, mark_original, marked_to_html, snippet_to_text, window
from search.query_text import fold_text

S, E = MARK_START, MARK_END


def test_marked_text_is_escaped_and_marks_balanced():
    assert marked_to_html(f"<b>{S}café{E}</b> & co") == "&lt;b&gt;<mark>café</mark>&lt;/b&gt; &amp; co"
    assert marked_to_html(f"{E}stray {S}open") == "stray <mark>open</mark>"


def test_snippet_to_text_for_terminals():
    assert snippet_to_text("a <mark>café</mark> &amp; b") == "a [café] & b"


def test_marks_move_from_folded_to_original_text():
    original = "Le café crème"
    _folded, origins = fold_text(original)
    assert mark_original(original, origins, f"Le {S}cafe{E} {S}creme{E}") == f"Le {S}café{E} {S}crème{E}"


def test_marks_keep_combining_accents_inside():
    original = "cafe\u0301 noir"
    _folded, origins = fold_text(original)
    assert mark_original(original, origins, f"{S}cafe{E} noir") == f"{S}cafe\u0301{E} noir"


def test_misaligned_highlight_gives_no_snippet():
    assert mark_original("abc", [0, 1, 2], f"{S}abcd{E}") is None


def test_window_cuts_around_the_first_match():
    words = [f"w{i}" for i in range(40)]
    words[30] = f"{S}match{E}"
    cut = window(" ".join(words), max_words=8)
    assert cut.startswith("…w28 w29 " + S + "match" + E)
    assert cut.endswith("…")
    assert window("short text", max_words=8) == "short text"

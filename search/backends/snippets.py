"""Search-result snippets: one format for every backend.

A ``SearchHit.snippet`` is a short, HTML-escaped extract of the matching text in which every
match is wrapped in ``<mark>…</mark>`` and cut text is shown as ``…``. Escaping happens here,
once, because review texts are written by strangers: a ``<script>`` in a review must reach the
dashboard as text. ``snippet_to_text`` turns a snippet back into plain text for terminals.

Backends mark matches with two private-use characters (``MARK_START``/``MARK_END``): SQLite's
``snippet()`` inserts them directly; Elasticsearch highlights the accent-folded search field
and ``mark_original`` moves those marks back onto the original text. Reads no settings.
"""

from __future__ import annotations

import html
import re
import unicodedata

MARK_START = "\ue000"
MARK_END = "\ue001"
ELLIPSIS = "…"
SNIPPET_WORDS = 16


def marked_to_html(marked: str) -> str:
    """Escape a marked text and turn its marks into balanced ``<mark>`` tags."""
    parts: list[str] = []
    open_mark = False
    for piece in re.split(f"([{MARK_START}{MARK_END}])", marked):
        if piece == MARK_START and not open_mark:
            parts.append("<mark>")
            open_mark = True
        elif piece == MARK_END and open_mark:
            parts.append("</mark>")
            open_mark = False
        elif piece not in (MARK_START, MARK_END):
            parts.append(html.escape(piece, quote=False))
    if open_mark:
        parts.append("</mark>")
    return "".join(parts)


def snippet_to_text(snippet: str, start: str = "[", end: str = "]") -> str:
    """Plain text of a snippet, with matches shown between ``start`` and ``end``.

    >>> snippet_to_text("le <mark>café</mark> &amp; thé")
    'le [café] & thé'
    """
    return html.unescape(snippet.replace("<mark>", start).replace("</mark>", end))


def mark_original(original: str, origins: list[int], highlighted_folded: str) -> str | None:
    """Place the marks of a highlighted folded text onto the original text.

    :param original: the text as stored in the record.
    :param origins: from ``query_text.fold_text(original)``: original index of each folded char.
    :param highlighted_folded: the folded text as returned by the highlighter, with marks.
    :return: the original text with marks, or None if the folded text does not line up (the
        document was indexed with a different folding; the caller then shows no snippet).
    """
    starts: list[int] = []
    ends: list[int] = []
    folded_index = 0
    for char in highlighted_folded:
        if char == MARK_START:
            starts.append(folded_index)
        elif char == MARK_END:
            ends.append(folded_index)
        else:
            folded_index += 1
    if folded_index != len(origins) or len(starts) != len(ends):
        return None
    insertions: list[tuple[int, str]] = []
    for start, end in zip(starts, ends):
        if end <= start:
            continue
        insertions.append((origins[start], MARK_START))
        insertions.append((_original_end(original, origins[end - 1]), MARK_END))
    marked = original
    for position, mark in sorted(insertions, reverse=True):
        marked = marked[:position] + mark + marked[position:]
    return marked


def _original_end(original: str, last_index: int) -> int:
    """Just after the original character, including combining accents that follow it."""
    end = last_index + 1
    while end < len(original) and _is_combining(original[end]):
        end += 1
    return end


def _is_combining(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


def window(marked: str, max_words: int = SNIPPET_WORDS) -> str:
    """Cut a marked text to about ``max_words`` words around its first match, with ellipses."""
    tokens = marked.split()
    if len(tokens) <= max_words:
        return " ".join(tokens)
    first = next((i for i, token in enumerate(tokens) if MARK_START in token), 0)
    start = max(0, min(first - max_words // 4, len(tokens) - max_words))
    end = start + max_words
    excerpt = tokens[start:end]  # marks cut in half are balanced by marked_to_html
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(tokens) else ""
    return prefix + " ".join(excerpt) + suffix


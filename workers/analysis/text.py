"""Turn what a crawler collected into the plain, bounded text the analysers expect.

Review texts sometimes arrive with markup (a platform's ``<br>`` line breaks, an ``&amp;``) and
occasionally as whole pages pasted into a review field. Language detection and lexicon scoring
work on words, so markup is removed first, and very long texts are shortened: the English
scorer's cost grows faster than the text (100,000 characters take tens of seconds), while the
opinion of a review is almost always in its first paragraphs and its closing words.

Reads no settings.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Where the opinion of a long review lives: its opening and its conclusion ("Bref, à éviter.").
ANALYSIS_HEAD_CHARS = 4000
ANALYSIS_TAIL_CHARS = 1000

_LOOKS_LIKE_MARKUP = re.compile(r"<[a-zA-Z/!]|&[#a-zA-Z0-9]+;")
# Runs of two or more whitespace characters, or one that is not a plain space: replacing only
# these gives the same text as replacing every run, without rewriting each single space.
_WHITESPACE = re.compile(r"\s{2,}|[^\S ]")
_SKIPPED_ELEMENTS = {"script", "style", "template", "noscript"}


class _TextCollector(HTMLParser):
    """Collects text nodes, with a space for every tag so ``a<br>b`` stays two words."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):  # noqa: ARG002 (HTMLParser API)
        if tag in _SKIPPED_ELEMENTS:
            self._skipping += 1
        self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in _SKIPPED_ELEMENTS and self._skipping:
            self._skipping -= 1
        self.parts.append(" ")

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def to_plain_text(text: str | None) -> str:
    """Text without markup or entities, whitespace collapsed; ``""`` for ``None``.

    >>> to_plain_text("<p>Great&nbsp;food<br>and <b>staff</b></p>")
    'Great food and staff'
    """
    if not text:
        return ""
    if _LOOKS_LIKE_MARKUP.search(text):
        collector = _TextCollector()
        collector.feed(text)
        collector.close()
        text = "".join(collector.parts)
    return _WHITESPACE.sub(" ", text).strip()


def shorten_for_analysis(
    text: str, head_chars: int = ANALYSIS_HEAD_CHARS, tail_chars: int = ANALYSIS_TAIL_CHARS
) -> str:
    """Keep the opening and the ending of a long text, cut at word boundaries.

    Texts no longer than ``head_chars + tail_chars`` are returned unchanged.
    """
    if len(text) <= head_chars + tail_chars:
        return text
    head = text[:head_chars]
    head = head[: head.rfind(" ")] if " " in head else head
    if tail_chars <= 0:
        return head
    tail = text[-tail_chars:]
    tail = tail[tail.find(" ") + 1 :] if " " in tail else tail
    return f"{head} … {tail}"


def letter_count(text: str) -> int:
    """How many letters (any script) a text holds: emoji, digits and punctuation do not count."""
    return sum(map(str.isalpha, text))

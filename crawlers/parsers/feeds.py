"""RSS and Atom entries (news, blogs, forum-search feeds) and which of them name an entity.

Feeds are parsed with feedparser, which reads RSS 0.9x–2.0, RSS 1.0 and Atom and survives most
malformed XML (it sets ``bozo`` and still returns what it could read). An Atom feed split over
several documents links the next one with ``rel="next"`` (RFC 5005); that link is returned.

``find_mention(text, terms)`` looks for any of the entity's names, aliases or keywords as whole
words, ignoring case and accents ("cafe du port" finds "Café du Port"), and returns the text
exactly as written in the entry: the *matched span* stored on the ``Mention``.
No settings are read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

import feedparser

from crawlers.parsers.text import clean_text


@dataclass
class FeedPage:
    entries: list[dict] = field(default_factory=list)
    next_url: str | None = None
    language: str | None = None
    errors: list[str] = field(default_factory=list)


def _folded_with_origins(text: str) -> tuple[str, list[int]]:
    """``text`` lower-cased without accents, and for each folded character its original index."""
    folded: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char):
            if not unicodedata.combining(part):
                folded.append(part.casefold())
                origins.append(index)
    return "".join(folded), origins


def _fold(text: str) -> str:
    return _folded_with_origins(text)[0]


def find_mention(text: str, terms: Iterable[str]) -> str | None:
    """The first place ``text`` names one of ``terms`` (whole words), as written; None if nowhere.

    >>> find_mention("Brunch au CAFÉ du port ce matin", ["Café du Port"])
    'CAFÉ du port'
    """
    folded, origins = _folded_with_origins(text or "")
    best: tuple[int, int] | None = None
    for term in terms:
        needle = " ".join(_fold(term).split())
        if not needle:
            continue
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(word) for word in needle.split(" ")) + r"(?!\w)"
        match = re.search(pattern, folded)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), match.end())
    if best is None:
        return None
    return text[origins[best[0]]:origins[best[1] - 1] + 1]


def _entry_fields(entry) -> dict:
    content = entry.get("content") or []
    body = content[0].get("value") if content else entry.get("summary")
    return {
        "title": clean_text(entry.get("title")) or None,
        "text": clean_text(body),
        "url": entry.get("link"),
        "date": entry.get("published") or entry.get("updated"),
        "language": (content[0].get("language") if content else None) or None,
    }


def parse_feed(body: bytes, url: str) -> FeedPage:
    """Entries of one RSS/Atom document; a document with nothing readable gives an error."""
    parsed = feedparser.parse(body, response_headers={"content-location": url})
    page = FeedPage(language=parsed.feed.get("language"))
    page.entries = [_entry_fields(entry) for entry in parsed.entries]
    if parsed.bozo and not page.entries:
        page.errors.append(f"feed_invalid: not a readable RSS or Atom feed ({parsed.get('bozo_exception')})")
    for link in parsed.feed.get("links", []):
        if link.get("rel") == "next" and link.get("href"):
            page.next_url = link["href"]
    return page

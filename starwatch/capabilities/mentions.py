"""Search every collected review and mention: the "one search box" capability.

The query text uses starwatch's safe syntax (words, "phrases", OR, -exclusion, prefix*), which
each backend translates itself, so user input never reaches backend query syntax.
"""

from __future__ import annotations

from typing import Literal, Sequence

from config import Settings
from search.backends.base import SearchPage, SearchQuery
from starwatch.capabilities.stores import open_store

MAX_QUERY_CHARS = 2_000


class SearchInputError(ValueError):
    """The search request itself is wrong (unknown entity, absurd limit); says what to change."""


def search_mentions(
    settings: Settings,
    text: str,
    *,
    entity_ids: Sequence[str] | None = None,
    kinds: Sequence[Literal["review", "mention"]] | None = None,
    min_rating: float | None = None,
    max_rating: float | None = None,
    sort: Literal["relevance", "date"] = "relevance",
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Find reviews and mentions matching ``text`` (empty text lists everything, newest first).

    :param entity_ids: restrict to these configured entities; an unknown id is an error, not an
        empty result, so a typo is noticed.

    Example::

        page = search_mentions(settings, '"temps d\\'attente" OR slow', entity_ids=["cafe-lumiere"])
        for hit in page.hits: print(hit.document.rating, hit.snippet)
    """
    if len(text) > MAX_QUERY_CHARS:
        raise SearchInputError(f"query is {len(text)} characters long; keep it under {MAX_QUERY_CHARS}")
    if not 1 <= limit <= 500:
        raise SearchInputError("limit must be between 1 and 500")
    if offset < 0:
        raise SearchInputError("offset must be 0 or more")
    for entity_id in entity_ids or ():
        settings.entity(entity_id)  # raises ConfigError naming the known entities
    query = SearchQuery(
        text=text,
        entity_ids=list(entity_ids) if entity_ids else None,
        kinds=list(kinds) if kinds else None,
        min_rating=min_rating,
        max_rating=max_rating,
        sort=sort if text.strip() else "date",
        limit=limit,
        offset=offset,
    )
    with open_store(settings) as store:
        return store.search(query)

"""Search every collected review and mention: the "one search box" capability.

The query text uses starwatch's safe syntax (words, "phrases", OR, -exclusion, prefix*), which
each backend translates itself, so user input never reaches backend query syntax. Filters name
configured entities and competitor groups (checked against the settings, so a typo is an error,
not an empty result), sources, languages, sentiment, aspects, flags, a rating range and a date
range, fixed (``since``/``until``) or moving (``within_days``). Deep result lists are walked
with ``SearchPage.next_cursor`` passed back as ``cursor``; ``facets`` asks for counts per value.

Reads ``entities`` and ``groups`` (to resolve and check the filters) and the store settings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Sequence

from pydantic import ValidationError

from config import Settings
from search.backends.base import SearchPage, SearchQuery
from search.facets import FACET_NAMES
from search.saved_searches import SearchSpec
from starwatch.capabilities.stores import open_store

MAX_QUERY_CHARS = 2_000
MAX_LIMIT = 500


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
    group_ids: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
    sentiment_labels: Sequence[str] | None = None,
    aspects: Sequence[str] | None = None,
    flags: Sequence[str] | None = None,
    exclude_flags: Sequence[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    within_days: int | None = None,
    facets: Sequence[str] | bool = (),
    cursor: str | None = None,
) -> SearchPage:
    """Find reviews and mentions matching ``text`` (empty text lists everything, newest first).

    :param entity_ids: restrict to these configured entities; an unknown id is an error, not an
        empty result, so a typo is noticed. ``group_ids`` adds every member of these groups.
    :param facets: facet names (``search.facets.FACET_NAMES``), or True for all of them.
    :param cursor: ``next_cursor`` of the previous page of the same search.

    Example::

        page = search_mentions(settings, '"temps d\\'attente" OR slow', group_ids=["cafes-lyon"],
                               within_days=30, facets=True)
        for hit in page.hits: print(hit.document.rating, hit.snippet)
        page.facets["entity_id"], page.next_cursor
    """
    spec = search_spec(
        settings, text, entity_ids=entity_ids, group_ids=group_ids, kinds=kinds, sources=sources,
        languages=languages, sentiment_labels=sentiment_labels, aspects=aspects, flags=flags,
        exclude_flags=exclude_flags, min_rating=min_rating, max_rating=max_rating, since=since, until=until,
        within_days=within_days, sort=sort,
    )
    return run_spec(settings, spec, limit=limit, offset=offset, facets=facets, cursor=cursor)


def search_spec(settings: Settings, text: str, **filters) -> SearchSpec:
    """A checked ``SearchSpec``: known entities and groups, valid text, consistent filters."""
    if len(text) > MAX_QUERY_CHARS:
        raise SearchInputError(f"query is {len(text)} characters long; keep it under {MAX_QUERY_CHARS}")
    for entity_id in filters.get("entity_ids") or ():
        settings.entity(entity_id)  # raises ConfigError naming the known entities
    for group_id in filters.get("group_ids") or ():
        settings.group_members(group_id)  # raises ConfigError naming the known groups
    # An empty list from a front end means "no filter", as it always has for entity_ids.
    values = {name: list(value) if isinstance(value, (list, tuple)) else value for name, value in filters.items()}
    try:
        return SearchSpec(text=text, **{k: v for k, v in values.items() if v not in (None, [])})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'search'}: {e['msg']}" for e in exc.errors())
        raise SearchInputError(f"this search cannot run as asked ({problems})") from None


def run_spec(settings: Settings, spec: SearchSpec, *, limit: int = 20, offset: int = 0,
             facets: Sequence[str] | bool = (), cursor: str | None = None, now: datetime | None = None) -> SearchPage:
    """Run a search spec (ad hoc or saved) on the configured store."""
    with open_store(settings) as store:
        return store.search(spec_query(settings, spec, limit=limit, offset=offset, facets=facets, cursor=cursor,
                                       now=now))


def spec_query(settings: Settings, spec: SearchSpec, *, limit: int = 20, offset: int = 0,
               facets: Sequence[str] | bool = (), cursor: str | None = None, now: datetime | None = None) -> SearchQuery:
    """The ``SearchQuery`` of a spec with this installation's groups; checks paging and facets."""
    if not 1 <= limit <= MAX_LIMIT:
        raise SearchInputError(f"limit must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise SearchInputError("offset must be 0 or more")
    wanted = list(FACET_NAMES) if facets is True else list(facets or ())
    unknown = sorted(set(wanted) - set(FACET_NAMES))
    if unknown:
        raise SearchInputError(f"unknown facet(s) {unknown}; choose among {list(FACET_NAMES)}")
    return spec.to_query(members_of_group=lambda group_id: [e.id for e in settings.group_members(group_id)],
                         now=now, limit=limit, offset=offset, cursor=cursor, facets=wanted)

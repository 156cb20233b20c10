"""The Elasticsearch ``_search`` body of a user search: filters, text, sort, paging, facets, highlight.

Pure functions returning dicts, checked by exact equality in ``tests/search/test_queries.py``.

Paging asks for one hit more than the page (``size = limit + 1``): that extra hit tells the store
whether a next page exists, so the last page carries no cursor. Deep pages use ``search_after``
with the sort key from the cursor (``search.cursors``); the sort always ends with ``doc_id``, a
unique keyword, so every key is a strict position. ``track_total_hits`` stops counting at
``SearchQuery.exact_total_up_to``; past it the total is a lower bound, like on SQLite.
``in_point_in_time`` turns that body into a search of a point in time (deep pages that stay
consistent while documents are indexed, see ``search.backends.es_point_in_time``).

Language analyzers: when the cluster has them (see ``search.mappings``), the folded search
fields carry ``.french`` / ``.english`` stemmed sub-fields. They are queried in a ``should``
clause: they lift documents whose stemmed words also match ("recommande" for "recommandé")
without changing *which* documents match, so both backends return the same hits. Reads no
settings.
"""

from __future__ import annotations

from typing import Any, Sequence

from search.backends.base import SearchQuery
from search.backends.snippets import MARK_END, MARK_START
from search.facets import FACET_FIELDS, FACET_SIZE
from search.queries import MAX_WINDOW, search_filters, star_ranges, text_query
from search.query_text import ParsedQuery, render_simple_query_string, render_simple_query_string_excluded

LANGUAGE_FIELDS = ("search_title.french^2", "search_text.french", "search_title.english^2", "search_text.english")
BY_DATE = ({"published_at": {"order": "desc", "missing": "_last"}}, {"doc_id": {"order": "asc"}})
FACET_PREFIX = "facet_"


def sorts_by_relevance(query: SearchQuery, parsed: ParsedQuery) -> bool:
    """Relevance needs words to score; a search of only exclusions or filters sorts by date."""
    return query.sort == "relevance" and bool(parsed.clauses)


def sort_spec(by_relevance: bool) -> list[dict[str, Any]]:
    """Relevance, ties by id; or newest first, ties by id. The unique id makes cursors exact."""
    if by_relevance:
        return [{"_score": {"order": "desc"}}, {"doc_id": {"order": "asc"}}]
    return [dict(s) for s in BY_DATE]


def search_body(
    query: SearchQuery,
    parsed: ParsedQuery,
    *,
    search_after: list[Any] | None = None,
    language_fields: bool = False,
) -> dict[str, Any]:
    """The whole ``_search`` body for a user search.

    :param search_after: the sort key decoded from ``query.cursor`` (None for a first page).
    :param language_fields: the cluster has the French/English sub-fields (ranking boost only).
    """
    bool_query: dict[str, Any] = {"filter": search_filters(query)}
    positive = render_simple_query_string(parsed)
    excluded = render_simple_query_string_excluded(parsed)
    if positive:
        bool_query["must"] = [text_query(positive)]
        if language_fields:
            bool_query["should"] = [text_query(positive, LANGUAGE_FIELDS)]
    if excluded:
        bool_query["must_not"] = [text_query(excluded)]
    body: dict[str, Any] = {
        "query": {"bool": bool_query},
        "sort": sort_spec(sorts_by_relevance(query, parsed)),
        "size": page_size(query),
        "track_total_hits": query.exact_total_up_to,
    }
    if search_after is not None:
        body["search_after"] = list(search_after)
    elif query.offset:
        body["from"] = query.offset
    if positive and query.limit:
        body["highlight"] = highlight_spec()
    if query.facets:
        body["aggs"] = facet_aggs(query.facets)
    return body


def page_size(query: SearchQuery) -> int:
    """One hit more than the page, except at the edge of the offset window (10,000 hits)."""
    if query.limit and query.offset + query.limit < MAX_WINDOW:
        return query.limit + 1
    return query.limit


def highlight_spec() -> dict[str, Any]:
    """Whole-field highlights of the folded fields; the store cuts snippets from the original text."""
    return {
        "pre_tags": [MARK_START],
        "post_tags": [MARK_END],
        "number_of_fragments": 0,
        "fields": {"search_title": {}, "search_text": {}},
    }


def facet_aggs(facets: Sequence[str]) -> dict[str, Any]:
    """One aggregation per facet: ``terms`` (count desc, then value) or the star ``range``."""
    aggs: dict[str, Any] = {}
    for name in dict.fromkeys(facets):
        if name == "stars":
            aggs[FACET_PREFIX + name] = {"range": {"field": "rating", "ranges": star_ranges()}}
        else:
            aggs[FACET_PREFIX + name] = {
                "terms": {"field": FACET_FIELDS[name], "size": FACET_SIZE,
                          "order": [{"_count": "desc"}, {"_key": "asc"}]}
            }
    return aggs


def in_point_in_time(body: dict[str, Any], pit_id: str, keep_alive: str, indices: Sequence[str]) -> dict[str, Any]:
    """``body`` as a search of the point in time ``pit_id``, extending it by ``keep_alive``.

    The request then names no index (the point in time carries its own), so the id decides what
    is searched; a cursor is not signed, and an altered id could point at a point in time someone
    opened on another index. The extra ``_index`` filter keeps hits and facet counts inside
    ``indices`` (the documents indices) whatever the id says; it costs nothing, as every shard
    rewrites it to "all" or "none".

    :param indices: the concrete indices a search may read, e.g. ``["starwatch-documents-v2"]``.
    """
    query = body["query"]["bool"]
    bounded = {**query, "filter": [*query["filter"], {"terms": {"_index": list(indices)}}]}
    return {**body, "query": {"bool": bounded}, "pit": {"id": pit_id, "keep_alive": keep_alive}}

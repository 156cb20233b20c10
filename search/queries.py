"""Pure query building: checks every backend applies to a ``SearchQuery``, and the Elasticsearch DSL.

Everything here returns plain values (dicts for Elasticsearch request bodies) and does no I/O,
so ``tests/search/test_queries.py`` checks each builder by exact dict equality without a
cluster. ``ElasticsearchReviewStore`` sends these bodies; ``SQLiteReviewStore`` uses
``check_search_query`` and ``STAR_RANGES`` so that both backends accept the same queries and
bucket stars the same way. The user-search body is in ``queries_search``, the comparison
aggregations in ``queries_figures``.

Reads no settings. Field names match ``search/mappings/*/*.json``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from search.backends.base import QueryError, SearchQuery
from search.backends.records import as_utc
from search.facets import check_facets

MAX_LIMIT = 1000
MAX_WINDOW = 10_000  # Elasticsearch's default index.max_result_window; SQLite keeps the same limit
KINDS = ("review", "mention")
SENTIMENT_LABELS = ("negative", "neutral", "positive")
# (star, lowest rating included, highest rating excluded): ratings round half up to a star,
# and 0-star ratings (possible on 0-5 scales) count as 1 star.
STAR_RANGES: tuple[tuple[int, float | None, float | None], ...] = (
    (1, None, 1.5),
    (2, 1.5, 2.5),
    (3, 2.5, 3.5),
    (4, 3.5, 4.5),
    (5, 4.5, None),
)
SEARCH_FIELDS = ("search_title^2", "search_text")
MAX_SOURCES_PER_ENTITY = 200
MAX_FILTER_VALUES = 10_000  # entity lists of a large group stay well inside Elasticsearch's terms limit
MAX_EXACT_TOTAL = 100_000
LIST_FILTERS = ("entity_ids", "kinds", "sources", "languages", "sentiment_labels", "aspects", "flags", "exclude_flags")


def check_search_query(query: SearchQuery) -> None:
    """Raise ``QueryError`` for a query no backend should run; the message says what to change."""
    if not 0 <= query.limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 0 and {MAX_LIMIT} (got {query.limit})")
    if query.offset < 0:
        raise QueryError(f"offset must be 0 or more (got {query.offset})")
    if query.offset + query.limit > MAX_WINDOW:
        raise QueryError(
            f"offset + limit must stay within the first {MAX_WINDOW} results "
            f"(got {query.offset} + {query.limit}); narrow the search with filters instead"
        )
    if query.sort not in ("relevance", "date"):
        raise QueryError(f"sort must be 'relevance' or 'date' (got {query.sort!r})")
    for name in LIST_FILTERS:
        value = getattr(query, name)
        if isinstance(value, (str, bytes)):
            raise QueryError(f"{name} must be a list of values, e.g. [{value!r}], not a single string")
        if value is not None and len(value) > MAX_FILTER_VALUES:
            raise QueryError(f"{name} has {len(value)} values; use at most {MAX_FILTER_VALUES}")
    _check_allowed("kinds", query.kinds, KINDS)
    _check_allowed("sentiment_labels", query.sentiment_labels, SENTIMENT_LABELS)
    check_facets(query.facets)
    if not 1 <= query.exact_total_up_to <= MAX_EXACT_TOTAL:
        raise QueryError(f"exact_total_up_to must be between 1 and {MAX_EXACT_TOTAL} (got {query.exact_total_up_to})")
    for name in ("min_rating", "max_rating"):
        value = getattr(query, name)
        if value is not None and (not isinstance(value, (int, float)) or value != value):
            raise QueryError(f"{name} must be a number of stars between 0 and 5 (got {value!r})")


def _check_allowed(name: str, values: Sequence[str] | None, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(values or ()) - set(allowed))
    if unknown:
        raise QueryError(f"{name} has unknown values {unknown}; use some of {list(allowed)}")


# -- Elasticsearch: filters -----------------------------------------------------------------


def date_range(field: str, since: datetime | None, until: datetime | None) -> dict[str, Any] | None:
    """``since`` inclusive, ``until`` exclusive, both as UTC ISO text; None when open on both ends."""
    bounds: dict[str, str] = {}
    if since is not None:
        bounds["gte"] = as_utc(since).isoformat()
    if until is not None:
        bounds["lt"] = as_utc(until).isoformat()
    return {"range": {field: bounds}} if bounds else None


def search_filters(query: SearchQuery) -> list[dict[str, Any]]:
    """Term/range filters for the typed fields of a ``SearchQuery`` (an empty list matches nothing)."""
    filters: list[dict[str, Any]] = []
    for field, values in (
        ("entity_id", query.entity_ids),
        ("kind", query.kinds),
        ("source", query.sources),
        ("language", query.languages),
        ("sentiment_label", query.sentiment_labels),
        ("aspects", query.aspects),
        ("flags", query.flags),
    ):
        if values is not None:
            filters.append({"terms": {field: list(values)}})
    if query.exclude_flags:
        filters.append({"bool": {"must_not": [{"terms": {"flags": list(query.exclude_flags)}}]}})
    rating_bounds = {}
    if query.min_rating is not None:
        rating_bounds["gte"] = query.min_rating
    if query.max_rating is not None:
        rating_bounds["lte"] = query.max_rating
    if rating_bounds:
        filters.append({"range": {"rating": rating_bounds}})
    published = date_range("published_at", query.since, query.until)
    if published:
        filters.append(published)
    return filters


def text_query(query_text: str, fields: Sequence[str] = SEARCH_FIELDS) -> dict[str, Any]:
    """A ``simple_query_string`` over the folded search fields, limited to the operators we emit."""
    return {
        "simple_query_string": {
            "query": query_text,
            "fields": list(fields),
            "default_operator": "and",
            "flags": "AND|OR|PHRASE|PREFIX|PRECEDENCE|WHITESPACE",
            "analyze_wildcard": True,
        }
    }


# -- Elasticsearch: counts ------------------------------------------------------------------


def count_body(kind: str, entity_id: str | None) -> dict[str, Any]:
    filters: list[dict[str, Any]] = [{"term": {"kind": kind}}]
    if entity_id is not None:
        filters.append({"term": {"entity_id": entity_id}})
    return {"query": {"bool": {"filter": filters}}}


# -- Elasticsearch: ratings -----------------------------------------------------------------


def rated_reviews_filter(
    entity_ids: Sequence[str], since: datetime | None, until: datetime | None
) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = [
        {"term": {"kind": "review"}},
        {"terms": {"entity_id": list(entity_ids)}},
        {"exists": {"field": "rating"}},
    ]
    published = date_range("published_at", since, until)
    if published:
        filters.append(published)
    return filters


def star_ranges() -> list[dict[str, Any]]:
    ranges = []
    for star, low, high in STAR_RANGES:
        bucket: dict[str, Any] = {"key": str(star)}
        if low is not None:
            bucket["from"] = low
        if high is not None:
            bucket["to"] = high
        ranges.append(bucket)
    return ranges


def rating_stats_body(
    entity_ids: Sequence[str], since: datetime | None, until: datetime | None
) -> dict[str, Any]:
    """One request for every entity: terms on entity_id, then average and per-star counts."""
    return {
        "size": 0,
        "query": {"bool": {"filter": rated_reviews_filter(entity_ids, since, until)}},
        "aggs": {
            "entities": {
                "terms": {"field": "entity_id", "size": max(1, len(entity_ids))},
                "aggs": {
                    "average": {"avg": {"field": "rating"}},
                    "stars": {"range": {"field": "rating", "ranges": star_ranges()}},
                },
            }
        },
    }


def lowest_rated_body(
    entity_id: str, since: datetime | None, until: datetime | None, limit: int
) -> dict[str, Any]:
    return {
        "size": limit,
        "query": {"bool": {"filter": rated_reviews_filter([entity_id], since, until)}},
        "sort": [
            {"rating": {"order": "asc"}},
            {"published_at": {"order": "desc", "missing": "_last"}},
            {"doc_id": {"order": "asc"}},
        ],
    }


def latest_snapshots_body(entity_ids: Sequence[str]) -> dict[str, Any]:
    """Newest snapshot per entity and source: terms → terms → top_hits(1), in one request."""
    return {
        "size": 0,
        "query": {"bool": {"filter": [{"terms": {"entity_id": list(entity_ids)}}]}},
        "aggs": {
            "entities": {
                "terms": {"field": "entity_id", "size": max(1, len(entity_ids))},
                "aggs": {
                    "sources": {
                        "terms": {"field": "source", "size": MAX_SOURCES_PER_ENTITY, "order": {"_key": "asc"}},
                        "aggs": {
                            "latest": {
                                "top_hits": {"size": 1, "sort": [{"observed_at": {"order": "desc"}}]}
                            }
                        },
                    }
                },
            }
        },
    }


# -- Elasticsearch: incidents ---------------------------------------------------------------


def open_incident_body(rule_id: str, entity_id: str) -> dict[str, Any]:
    return {
        "size": 1,
        "query": {
            "bool": {
                "filter": [
                    {"term": {"rule_id": rule_id}},
                    {"term": {"entity_id": entity_id}},
                    {"term": {"status": "open"}},
                ]
            }
        },
        "sort": [{"opened_at": {"order": "desc"}}, {"incident_id": {"order": "asc"}}],
    }


def list_incidents_body(status: str | None, limit: int) -> dict[str, Any]:
    filters = [] if status is None else [{"term": {"status": status}}]
    return {
        "size": limit,
        "query": {"bool": {"filter": filters}},
        "sort": [{"opened_at": {"order": "desc"}}, {"incident_id": {"order": "asc"}}],
    }

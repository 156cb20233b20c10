"""Elasticsearch aggregations behind ``ReviewStore.entity_figures``: a comparison in one round trip.

Four kinds of body, each covering many entities with a ``terms`` aggregation on ``entity_id``:
``ratings`` (window, previous window and all-time stats in one pass, with the authenticity
sums), ``series`` (a ``date_histogram`` per entity), ``aspects`` (top aspects per entity, their
mean sentiment and label counts) and ``mentions`` (share of voice). The store sends every body in
one ``_msearch``, so the number of requests does not grow with the number of entities.

A cluster refuses a response with more than ``search.max_buckets`` (65,536) buckets, so each
kind is split into entity chunks whose worst-case bucket count stays under ``BUCKET_BUDGET``;
a thousand entities fit in one body of each kind. No script is used: the authenticity-weighted
average reads ``weighted_rating`` and ``effective_weight``, computed at indexing time.

Pure functions returning dicts (tested by equality in ``tests/search/test_queries_figures.py``).
Reads no settings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from search.figures import FiguresRequest, bucket_starts
from search.queries import date_range, star_ranges

BUCKET_BUDGET = 50_000
STAR_BUCKETS = 5
LABELS = 3


def figures_bodies(request: FiguresRequest) -> list[tuple[str, dict[str, Any]]]:
    """Every (kind, body) the request needs, entity chunks included, in a stable order."""
    ids = list(dict.fromkeys(request.entity_ids))
    points = len(bucket_starts(request.since, request.until, request.interval))
    per_entity = {
        "ratings": 1 + 3 * (STAR_BUCKETS + 3),
        "series": 1 + points,
        "aspects": 2 + request.max_aspects * (2 + LABELS),
        "mentions": 1,
    }
    builders = {"ratings": ratings_body, "series": series_body, "aspects": aspects_body, "mentions": mentions_body}
    bodies = []
    for kind, cost in per_entity.items():
        for chunk in entity_chunks(ids, cost):
            bodies.append((kind, builders[kind](request, chunk)))
    return bodies


def entity_chunks(entity_ids: list[str], buckets_per_entity: int, budget: int = BUCKET_BUDGET) -> list[list[str]]:
    size = max(1, budget // max(1, buckets_per_entity))
    return [entity_ids[start : start + size] for start in range(0, len(entity_ids), size)] or []


def _entities(chunk: Sequence[str], aggs: dict[str, Any] | None = None) -> dict[str, Any]:
    terms: dict[str, Any] = {"terms": {"field": "entity_id", "size": max(1, len(chunk))}}
    if aggs:
        terms["aggs"] = aggs
    return {"entities": terms}


def _filters(kind: str, chunk: Sequence[str], *extra: dict[str, Any] | None) -> dict[str, Any]:
    filters = [{"term": {"kind": kind}}, {"terms": {"entity_id": list(chunk)}}]
    filters.extend(f for f in extra if f)
    return {"bool": {"filter": filters}}


def up_to(until: datetime) -> dict[str, Any]:
    """Published before ``until``, or undated: what "all time" means at the end of a window."""
    return {"bool": {"should": [date_range("published_at", None, until),
                                {"bool": {"must_not": [{"exists": {"field": "published_at"}}]}}],
                     "minimum_should_match": 1}}


def rating_metrics(exclude_flags: Sequence[str]) -> dict[str, Any]:
    """Average, star buckets and authenticity sums of the reviews in the enclosing bucket."""
    signal: list[dict[str, Any]] = [{"exists": {"field": "authenticity_weight"}}]
    counted: dict[str, Any] = {"match_all": {}}
    if exclude_flags:
        signal.append({"terms": {"flags": list(exclude_flags)}})
        counted = {"bool": {"must_not": [{"terms": {"flags": list(exclude_flags)}}]}}
    return {
        "average": {"avg": {"field": "rating"}},
        "stars": {"range": {"field": "rating", "ranges": star_ranges()}},
        "signals": {"filter": {"bool": {"should": signal, "minimum_should_match": 1}}},
        "adjusted": {"filter": counted, "aggs": {"weighted": {"sum": {"field": "weighted_rating"}},
                                                 "weight": {"sum": {"field": "effective_weight"}}}},
    }


def ratings_body(request: FiguresRequest, chunk: Sequence[str]) -> dict[str, Any]:
    metrics = rating_metrics(request.exclude_flags)
    windows = {
        "window": {"filter": date_range("published_at", request.since, request.until), "aggs": metrics},
        "previous": {"filter": date_range("published_at", request.previous_start, request.since), "aggs": metrics},
    }
    return {
        "size": 0,
        "query": _filters("review", chunk, {"exists": {"field": "rating"}}, up_to(request.until)),
        "aggs": _entities(chunk, {**windows, **metrics}),
    }


def series_body(request: FiguresRequest, chunk: Sequence[str]) -> dict[str, Any]:
    histogram = {"date_histogram": {"field": "published_at", "calendar_interval": request.interval,
                                    "min_doc_count": 1},
                 "aggs": {"average": {"avg": {"field": "rating"}}}}
    return {
        "size": 0,
        "query": _filters("review", chunk, {"exists": {"field": "rating"}},
                          date_range("published_at", request.since, request.until)),
        "aggs": _entities(chunk, {"series": histogram}),
    }


def aspects_body(request: FiguresRequest, chunk: Sequence[str]) -> dict[str, Any]:
    """Per entity, the top aspects: reviews mentioning each, their mean per-aspect sentiment
    (nested ``aspect_scores``), and the sentiment labels of those reviews (``reverse_nested``)."""
    names = {"terms": {"field": "aspect_scores.aspect", "size": request.max_aspects,
                       "order": [{"_count": "desc"}, {"_key": "asc"}]},
             "aggs": {"score": {"avg": {"field": "aspect_scores.score"}},
                      "reviews": {"reverse_nested": {}, "aggs": {"labels": {"terms": {"field": "sentiment_label",
                                                                                      "size": LABELS}}}}}}
    return {
        "size": 0,
        "query": _filters("review", chunk, {"exists": {"field": "aspects"}},
                          date_range("published_at", request.since, request.until)),
        "aggs": _entities(chunk, {"aspects": {"nested": {"path": "aspect_scores"}, "aggs": {"names": names}}}),
    }


def mentions_body(request: FiguresRequest, chunk: Sequence[str]) -> dict[str, Any]:
    return {
        "size": 0,
        "query": _filters("mention", chunk, date_range("published_at", request.since, request.until)),
        "aggs": _entities(chunk),
    }

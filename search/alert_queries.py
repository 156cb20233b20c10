"""Pure Elasticsearch request bodies for the alerting reads (``search.backends.es_alerts``).

Like ``search.queries``, everything returns plain dicts and does no I/O, so the builders are
checked by dict equality without a cluster. Field names match ``search/mappings/*/documents.json``,
``snapshots.json``, ``incidents.json`` and ``alertlog.json``.

Bucket budget: Elasticsearch refuses a response with more than ``search.max_buckets`` (65,536 by
default) buckets. A grouped read over 10,000 entities with 29 periods each would need 300,000, so
``entity_chunks`` splits the entities into groups that each stay under ``BUCKET_BUDGET``; the
backend sends all groups in ONE ``_msearch`` request, so the number of round trips stays one
whatever the number of entities. Reads no settings.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Sequence

from search.backends.records import as_utc
from search.queries import date_range

BUCKET_BUDGET = 60_000
MAX_ASPECTS = 50  # aspects per entity in sentiment_stats (the taxonomy has a handful)
TYPICAL_SOURCES = 10  # sources per entity assumed when sizing chunks of per-source reads
MAX_SOURCES = 200
MAX_HITS = 10_000


def entity_chunks(entity_ids: Sequence[str], buckets_per_entity: int) -> list[list[str]]:
    """Groups of entity ids whose aggregations stay under ``BUCKET_BUDGET`` buckets each."""
    size = max(1, BUCKET_BUDGET // max(1, buckets_per_entity + 1))
    ids = list(entity_ids)
    return [ids[start:start + size] for start in range(0, len(ids), size)]


def _reviews(entity_ids: Sequence[str], since: datetime | None, until: datetime | None) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = [{"term": {"kind": "review"}}, {"terms": {"entity_id": list(entity_ids)}}]
    published = date_range("published_at", since, until)
    if published:
        filters.append(published)
    return filters


def _iso(moment: datetime) -> str:
    return as_utc(moment).isoformat()


def review_counts_body(
    entity_ids: Sequence[str], end: datetime, period: timedelta, periods: int, *,
    max_rating: float | None = None, sentiment_labels: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Per entity, a ``date_range`` bucket per period (key = its index, 0 = the latest)."""
    filters = _reviews(entity_ids, end - period * periods, end)
    either: list[dict[str, Any]] = []
    if max_rating is not None:
        either.append({"range": {"rating": {"lte": max_rating}}})
    if sentiment_labels:
        either.append({"terms": {"sentiment_label": list(sentiment_labels)}})
    if either:
        filters.append({"bool": {"should": either, "minimum_should_match": 1}})
    ranges = [{"key": str(index), "from": _iso(end - period * (index + 1)), "to": _iso(end - period * index)}
              for index in range(periods)]
    return {
        "size": 0,
        "query": {"bool": {"filter": filters}},
        "aggs": {"entities": {"terms": {"field": "entity_id", "size": max(1, len(entity_ids))},
                              "aggs": {"periods": {"date_range": {"field": "published_at", "ranges": ranges}}}}},
    }


def sentiment_stats_body(
    entity_ids: Sequence[str], since: datetime | None, until: datetime | None, *, by_aspect: bool
) -> dict[str, Any]:
    """Per entity, the mean ``sentiment_score`` of scored reviews; per aspect too when asked."""
    sub_aggs: dict[str, Any] = {"score": {"avg": {"field": "sentiment_score"}}}
    if by_aspect:
        sub_aggs["aspects"] = {"terms": {"field": "aspects", "size": MAX_ASPECTS},
                               "aggs": {"score": {"avg": {"field": "sentiment_score"}}}}
    filters = _reviews(entity_ids, since, until) + [{"exists": {"field": "sentiment_score"}}]
    return {
        "size": 0,
        "query": {"bool": {"filter": filters}},
        "aggs": {"entities": {"terms": {"field": "entity_id", "size": max(1, len(entity_ids))}, "aggs": sub_aggs}},
    }


def matching_reviews_body(
    entity_ids: Sequence[str], since: datetime | None, until: datetime | None, *,
    max_rating: float | None, flag_prefixes: Sequence[str] | None, limit: int,
) -> dict[str, Any]:
    filters = _reviews(entity_ids, since, until)
    if max_rating is not None:
        filters.append({"range": {"rating": {"lte": max_rating}}})
    if flag_prefixes:
        prefixes = [{"prefix": {"flags": prefix}} for prefix in flag_prefixes]
        filters.append({"bool": {"should": prefixes, "minimum_should_match": 1}})
    return {
        "size": max(0, min(limit, MAX_HITS)),
        "query": {"bool": {"filter": filters}},
        "sort": [{"published_at": {"order": "desc", "missing": "_last"}}, {"doc_id": {"order": "asc"}}],
    }


def snapshots_before_body(entity_ids: Sequence[str], until: datetime) -> dict[str, Any]:
    """Per entity and source, the newest snapshot observed before ``until`` (terms → terms → top_hits)."""
    return {
        "size": 0,
        "query": {"bool": {"filter": [{"terms": {"entity_id": list(entity_ids)}},
                                      date_range("observed_at", None, until)]}},
        "aggs": {"entities": {
            "terms": {"field": "entity_id", "size": max(1, len(entity_ids))},
            "aggs": {"sources": {
                "terms": {"field": "source", "size": MAX_SOURCES, "order": {"_key": "asc"}},
                "aggs": {"latest": {"top_hits": {"size": 1, "sort": [{"observed_at": {"order": "desc"}}]}}},
            }},
        }},
    }


def source_activity_body(entity_ids: Sequence[str], until: datetime | None) -> dict[str, Any]:
    return {
        "size": 0,
        "query": {"bool": {"filter": _reviews(entity_ids, None, until)}},
        "aggs": {"entities": {
            "terms": {"field": "entity_id", "size": max(1, len(entity_ids))},
            "aggs": {"sources": {
                "terms": {"field": "source", "size": MAX_SOURCES, "order": {"_key": "asc"}},
                "aggs": {"published": {"max": {"field": "published_at"}},
                         "collected": {"max": {"field": "collected_at"}}},
            }},
        }},
    }


def latest_incidents_body(rule_id: str, entity_ids: Sequence[str]) -> dict[str, Any]:
    """Per entity, the incident of ``rule_id`` opened last (terms → top_hits(1))."""
    return {
        "size": 0,
        "query": {"bool": {"filter": [{"term": {"rule_id": rule_id}}, {"terms": {"entity_id": list(entity_ids)}}]}},
        "aggs": {"entities": {
            "terms": {"field": "entity_id", "size": max(1, len(entity_ids))},
            "aggs": {"latest": {"top_hits": {"size": 1, "sort": [{"opened_at": {"order": "desc"}},
                                                                 {"incident_id": {"order": "asc"}}]}}},
        }},
    }


def list_deliveries_body(statuses: Sequence[str] | None, incident_id: str | None, limit: int) -> dict[str, Any]:
    filters: list[dict[str, Any]] = [{"term": {"entry_type": "delivery"}}]
    if statuses is not None:
        filters.append({"terms": {"status": list(statuses)}})
    if incident_id is not None:
        filters.append({"term": {"incident_id": incident_id}})
    return {
        "size": max(0, min(limit, MAX_HITS)),
        "query": {"bool": {"filter": filters}},
        "sort": [{"created_at": {"order": "asc"}}, {"delivery_id": {"order": "asc"}}],
    }


def alert_marks_body() -> dict[str, Any]:
    return {"size": MAX_HITS, "query": {"bool": {"filter": [{"term": {"entry_type": "mark"}}]}}}

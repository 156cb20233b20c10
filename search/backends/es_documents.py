"""Conversions between starwatch records and Elasticsearch documents and responses.

A stored document is the record's JSON form plus helper fields: ``doc_id`` (one id field for
reviews and mentions, used as a sort tie-break), ``search_title`` / ``search_text``, the
accent-folded texts that searches run on (the stripped node has no ``asciifolding``),
``aspect_scores`` (nested: each aspect with its own sentiment, else the record's) and for rated
reviews ``effective_weight`` / ``weighted_rating`` (authenticity weight, default 1). Snippets
come from highlights of those folded fields, moved back onto the original accented text.
Reads no settings.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from search.backends.base import RatingStats, SearchHit, SearchPage, SearchQuery
from search.backends.records import aspect_scores, document_from_fields
from search.backends.snippets import mark_original, marked_to_html, window
from search.documents import Mention, RatingSnapshot, Review
from search.cursors import encode_cursor, fits
from search.facets import star_counts, top_values
from search.queries import MAX_WINDOW, STAR_RANGES
from search.queries_search import FACET_PREFIX
from search.query_text import fold_for_index, fold_text

BACKEND = "elasticsearch"

try:
    import orjson as _orjson
except ImportError:  # optional: only speeds up bulk writes
    _orjson = None


def document_source(record: Review | Mention) -> dict[str, Any]:
    """The stored document: the record's JSON form plus the helper fields."""
    return {**record.model_dump(mode="json"), **helper_fields(record)}


def document_json(record: Review | Mention) -> bytes:
    """``document_source(record)``, already serialised, for bulk writes.

    Built from pydantic's own JSON and the helper fields spliced in before the closing brace:
    bulk indexing spends most of its Python time turning records into JSON, and this is about
    three times faster than dumping a dict and serialising it again.
    """
    return record.model_dump_json().encode("utf-8")[:-1] + b"," + _dumps(helper_fields(record))[1:]


def _dumps(value: dict[str, Any]) -> bytes:
    """Compact JSON bytes; orjson when installed (the client's own optional speed-up), else json."""
    if _orjson is not None:
        return _orjson.dumps(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def helper_fields(record: Review | Mention) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "doc_id": record.doc_id,
        "search_title": fold_for_index(record.title or ""),
        "search_text": fold_for_index(record.text or ""),
        "aspect_scores": [{"aspect": aspect, "score": score} for aspect, score in aspect_scores(record)],
    }
    rating = getattr(record, "rating", None)
    if rating is not None:
        # Averages weighted by authenticity need rating x weight; stored here because the
        # minimal node has no painless to compute it in an aggregation.
        weight = record.authenticity_weight if record.authenticity_weight is not None else 1.0
        fields["effective_weight"] = weight
        fields["weighted_rating"] = rating * weight
    return fields


def search_hit(hit: dict[str, Any]) -> SearchHit:
    document = document_from_fields(hit["_source"])
    return SearchHit(document=document, score=hit.get("_score"), snippet=snippet(document, hit.get("highlight") or {}))


def search_page(response: dict[str, Any], query: SearchQuery, pit_id: str | None = None) -> tuple[SearchPage, bool]:
    """Hits (the extra one asked for only says a next page exists), cursor, total and facets.

    :param pit_id: the point in time the response came from, carried on by the next cursor.
    :returns: the page, and whether its cursor carries ``pit_id`` (if not, the caller closes it:
        this was the last page, or the id is too long for a cursor).
    """
    raw_hits = response["hits"]["hits"]
    total = response["hits"]["total"]
    shown = raw_hits[: query.limit]
    more = len(raw_hits) > query.limit or (
        query.offset + query.limit >= MAX_WINDOW and total["value"] > query.offset + query.limit)
    cursor, kept = None, False
    if more and shown:
        cursor = encode_cursor(BACKEND, query, shown[-1]["sort"], pit_id)
        kept = pit_id is not None and fits(cursor)
        if not fits(cursor):
            cursor = encode_cursor(BACKEND, query, shown[-1]["sort"])
    page = SearchPage(
        total=total["value"], hits=[search_hit(hit) for hit in shown], facets=facets_from(response, query.facets),
        next_cursor=cursor, total_exact=total.get("relation", "eq") == "eq",
    )
    return page, kept


def facets_from(response: dict[str, Any], facets: Sequence[str]) -> dict[str, dict[str, int]]:
    aggregations = response.get("aggregations") or {}
    result: dict[str, dict[str, int]] = {}
    for name in dict.fromkeys(facets):
        buckets = aggregations[FACET_PREFIX + name]["buckets"]
        counts = {str(bucket["key"]): bucket["doc_count"] for bucket in buckets}
        result[name] = star_counts(counts) if name == "stars" else top_values(counts)
    return result


def snippet(document: Review | Mention, highlight: dict[str, list[str]]) -> str | None:
    """The text's highlight if it has one, else the title's; None when nothing lines up."""
    for field, original in (("search_text", document.text or ""), ("search_title", document.title or "")):
        fragments = highlight.get(field)
        if not fragments:
            continue
        _folded, origins = fold_text(original)
        marked = mark_original(original, origins, fragments[0])
        if marked is not None:
            return marked_to_html(window(marked))
    return None


def empty_stats(entity_id: str) -> RatingStats:
    return RatingStats(entity_id, 0, None, {star: 0 for star, _low, _high in STAR_RANGES})


def rating_stats_from(response: dict[str, Any], entity_ids: list[str]) -> dict[str, RatingStats]:
    result = {entity_id: empty_stats(entity_id) for entity_id in entity_ids}
    for bucket in response["aggregations"]["entities"]["buckets"]:
        distribution = {star: 0 for star, _low, _high in STAR_RANGES}
        for star_bucket in bucket["stars"]["buckets"]:
            distribution[int(star_bucket["key"])] = star_bucket["doc_count"]
        result[bucket["key"]] = RatingStats(bucket["key"], bucket["doc_count"], bucket["average"]["value"], distribution)
    return result


def latest_snapshots_from(response: dict[str, Any], entity_ids: list[str]) -> dict[str, list[RatingSnapshot]]:
    result: dict[str, list[RatingSnapshot]] = {entity_id: [] for entity_id in entity_ids}
    for entity_bucket in response["aggregations"]["entities"]["buckets"]:
        for source_bucket in entity_bucket["sources"]["buckets"]:
            (top,) = source_bucket["latest"]["hits"]["hits"]
            result[entity_bucket["key"]].append(RatingSnapshot.model_validate(top["_source"]))
    return result

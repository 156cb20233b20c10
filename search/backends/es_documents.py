"""Conversions between starwatch records and Elasticsearch documents and responses.

A stored document is the record's JSON form plus three helper fields: ``doc_id`` (one id field
for reviews and mentions, used as a sort tie-break) and ``search_title`` / ``search_text``, the
accent-folded texts that searches run on (the stripped node has no ``asciifolding``). Snippets
come from highlights of those folded fields, moved back onto the original accented text.
Reads no settings.
"""

from __future__ import annotations

from typing import Any

from search.backends.base import RatingStats, SearchHit
from search.backends.records import document_from_fields
from search.backends.snippets import mark_original, marked_to_html, window
from search.documents import Mention, RatingSnapshot, Review
from search.queries import STAR_RANGES
from search.query_text import fold_text


def document_source(record: Review | Mention) -> dict[str, Any]:
    source = record.model_dump(mode="json")
    source["doc_id"] = record.doc_id
    source["search_title"] = fold_text(record.title or "")[0]
    source["search_text"] = fold_text(record.text or "")[0]
    return source


def search_hit(hit: dict[str, Any]) -> SearchHit:
    document = document_from_fields(hit["_source"])
    return SearchHit(document=document, score=hit.get("_score"), snippet=snippet(document, hit.get("highlight") or {}))


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

"""The crawl bookkeeping part of ``ElasticsearchReviewStore``: crawl state, review events, crawl events.

A mixin so these additions stay in one file: the store inherits it and supplies ``alias``,
``_ensured`` (client context that creates an index on first use) and ``_search``. All three
record types live in one small index, ``<prefix>-crawllog`` (``mappings/v1/crawllog.json``),
told apart by ``entry_type``: the volume is one state document per source and a few events per
crawl, which does not justify three indices. The full record sits in a disabled ``record``
object; only the filter fields are indexed. Writes use ``refresh=True`` because the next crawl,
the scheduler and the alert rules read them back at once. Reads no settings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from search.backends.records import as_utc
from search.crawl_records import (
    CRAWL_STATUSES, REVIEW_EVENT_KINDS, CrawlEvent, CrawlState, ReviewEvent, check_event_filters,
)

CRAWLLOG = "crawllog"


def _state_id(source_id: str) -> str:
    return f"state:{source_id}"


def _entry(entry_type: str, record, **fields: Any) -> dict[str, Any]:
    return {"entry_type": entry_type, "record": record.model_dump(mode="json"), **fields}


def events_body(entry_type: str, terms: dict[str, Sequence[str] | None], since: datetime | None,
                until: datetime | None, limit: int) -> dict[str, Any]:
    """Newest-first search for one kind of event; pure, so it is tested as a dict."""
    filters: list[dict[str, Any]] = [{"term": {"entry_type": entry_type}}]
    filters += [{"terms": {field: list(values)}} for field, values in terms.items() if values is not None]
    window = {key: as_utc(moment).isoformat() for key, moment in (("gte", since), ("lt", until)) if moment}
    if window:
        filters.append({"range": {"occurred_at": window}})
    return {
        "query": {"bool": {"filter": filters}},
        "sort": [{"occurred_at": "desc"}, {"event_id": "asc"}],
        "size": limit,
        "track_total_hits": False,
    }


class ElasticsearchCrawlMixin:
    """Crawl state and events for ``ElasticsearchReviewStore`` (see ``ReviewStore``)."""

    def get_crawl_state(self, source_id: str) -> CrawlState | None:
        from elasticsearch import NotFoundError

        with self._ensured(CRAWLLOG, "reading crawl state") as client:
            try:
                source = client.get(index=self.alias(CRAWLLOG), id=_state_id(source_id))["_source"]
            except NotFoundError:
                return None
        return CrawlState.model_validate(source["record"])

    def save_crawl_state(self, state: CrawlState) -> None:
        entry = _entry("crawl_state", state, source=state.source, entity_id=state.entity_id)
        with self._ensured(CRAWLLOG, "saving crawl state") as client:
            client.index(index=self.alias(CRAWLLOG), id=_state_id(state.source), document=entry,
                         refresh=True, require_alias=True)

    def add_review_events(self, events: Sequence[ReviewEvent]) -> int:
        """Upsert events by id; returns how many were new."""
        return self._index_events("review_event", events, ReviewEvent, lambda e: {
            "kind": e.kind, "review_id": e.review_id})

    def add_crawl_events(self, events: Sequence[CrawlEvent]) -> int:
        """Upsert events by id; returns how many were new."""
        return self._index_events("crawl_event", events, CrawlEvent, lambda e: {"status": e.status})

    def _index_events(self, entry_type: str, events: Sequence, model: type, fields_of) -> int:
        from search.backends.base import StoreError

        for event in events:
            if not isinstance(event, model):
                raise TypeError(f"expected {model.__name__} records, got {type(event).__name__}")
        if not events:
            return 0
        operations: list[dict[str, Any]] = []
        for event in events:
            entry = _entry(entry_type, event, event_id=event.event_id, source=event.source,
                           entity_id=event.entity_id, occurred_at=event.occurred_at.isoformat(), **fields_of(event))
            operations += [{"index": {"_index": self.alias(CRAWLLOG), "_id": event.event_id}}, entry]
        with self._ensured(CRAWLLOG, f"writing {entry_type.replace('_', ' ')}s") as client:
            items = client.bulk(operations=operations, refresh=True, require_alias=True).body["items"]
        failed = [item["index"] for item in items if item["index"].get("error")]
        if failed:
            raise StoreError(f"Elasticsearch refused {len(failed)} {entry_type} record(s), e.g. {failed[0]}; "
                             "check the crawllog index mapping (search/mappings/v1/crawllog.json)")
        return sum(1 for item in items if item["index"].get("result") == "created")

    def list_review_events(
        self, *, source_ids: Sequence[str] | None = None, entity_ids: Sequence[str] | None = None,
        review_ids: Sequence[str] | None = None, kinds: Sequence[str] | None = None,
        since: datetime | None = None, until: datetime | None = None, limit: int = 100,
    ) -> list[ReviewEvent]:
        check_event_filters(kinds, REVIEW_EVENT_KINDS, "review event kinds", limit)
        terms = {"source": source_ids, "entity_id": entity_ids, "review_id": review_ids, "kind": kinds}
        body = events_body("review_event", terms, since, until, limit)
        return [ReviewEvent.model_validate(hit["_source"]["record"])
                for hit in self._search(CRAWLLOG, body, "reading review events")["hits"]["hits"]]

    def list_crawl_events(
        self, *, source_ids: Sequence[str] | None = None, entity_ids: Sequence[str] | None = None,
        statuses: Sequence[str] | None = None, since: datetime | None = None, until: datetime | None = None,
        limit: int = 100,
    ) -> list[CrawlEvent]:
        check_event_filters(statuses, CRAWL_STATUSES, "crawl statuses", limit)
        terms = {"source": source_ids, "entity_id": entity_ids, "status": statuses}
        body = events_body("crawl_event", terms, since, until, limit)
        return [CrawlEvent.model_validate(hit["_source"]["record"])
                for hit in self._search(CRAWLLOG, body, "reading crawl events")["hits"]["hits"]]

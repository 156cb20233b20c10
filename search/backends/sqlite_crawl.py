"""The crawl bookkeeping part of ``SQLiteReviewStore``: crawl state, review events, crawl events.

A mixin so the main store module stays about documents. Three tables, created with the rest of
the schema (``CRAWL_SCHEMA`` is appended to ``sqlite_schema.SCHEMA``): ``crawl_state`` (one JSON
record per source), ``review_events`` (edits and deletions) and ``crawl_events`` (one per crawl,
with its health status). Filter columns are typed; values always travel as ``?`` parameters.
The mixin relies on the store's ``_reading``/``_writing`` connection helpers. Reads no settings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from search.backends.records import utc_key
from search.backends.sqlite_sql import Where
from search.crawl_records import (
    CRAWL_STATUSES, REVIEW_EVENT_KINDS, CrawlEvent, CrawlState, ReviewEvent, check_event_filters,
)

CRAWL_SCHEMA = """
CREATE TABLE IF NOT EXISTS crawl_state (
    source TEXT PRIMARY KEY,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS review_events (
    event_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    review_id TEXT NOT NULL,
    source TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS review_events_by_time ON review_events (occurred_at);
CREATE INDEX IF NOT EXISTS review_events_by_review ON review_events (review_id, occurred_at);
CREATE TABLE IF NOT EXISTS crawl_events (
    event_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    status TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS crawl_events_by_source ON crawl_events (source, occurred_at);
"""


def _event_where(
    columns: dict[str, Sequence[str] | None], since: datetime | None, until: datetime | None
) -> Where:
    where = Where()
    for column, values in columns.items():
        where.add_in(column, values)
    where.add_window("occurred_at", since, until)
    return where


class SQLiteCrawlRecords:
    """Crawl state and events for ``SQLiteReviewStore`` (see ``ReviewStore`` for the contract)."""

    def get_crawl_state(self, source_id: str) -> CrawlState | None:
        with self._reading("reading crawl state") as connection:
            row = connection.execute("SELECT record FROM crawl_state WHERE source = ?", (source_id,)).fetchone()
        return None if row is None else CrawlState.model_validate_json(row[0])

    def save_crawl_state(self, state: CrawlState) -> None:
        with self._writing("saving crawl state") as connection:
            connection.execute(
                "INSERT OR REPLACE INTO crawl_state (source, record) VALUES (?, ?)",
                (state.source, state.model_dump_json()),
            )

    def add_review_events(self, events: Sequence[ReviewEvent]) -> int:
        """Upsert events by id; returns how many were new."""
        return self._add_events(
            "review_events", events, ReviewEvent,
            lambda e: (e.kind, e.review_id, e.source, e.entity_id), ("kind", "review_id", "source", "entity_id"),
        )

    def add_crawl_events(self, events: Sequence[CrawlEvent]) -> int:
        """Upsert events by id; returns how many were new."""
        return self._add_events(
            "crawl_events", events, CrawlEvent,
            lambda e: (e.source, e.entity_id, e.status), ("source", "entity_id", "status"),
        )

    def _add_events(self, table: str, events: Sequence, model: type, values_of, columns: tuple[str, ...]) -> int:
        for event in events:
            if not isinstance(event, model):
                raise TypeError(f"expected {model.__name__} records, got {type(event).__name__}")
        names = ("event_id",) + columns + ("occurred_at", "record")
        sql = f"INSERT OR REPLACE INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
        created = 0
        with self._writing(f"writing {table.replace('_', ' ')}") as connection:
            for event in events:
                exists = connection.execute(f"SELECT 1 FROM {table} WHERE event_id = ?", (event.event_id,)).fetchone()
                row = (event.event_id, *values_of(event), utc_key(event.occurred_at), event.model_dump_json())
                connection.execute(sql, row)
                created += exists is None
        return created

    def list_review_events(
        self, *, source_ids: Sequence[str] | None = None, entity_ids: Sequence[str] | None = None,
        review_ids: Sequence[str] | None = None, kinds: Sequence[str] | None = None,
        since: datetime | None = None, until: datetime | None = None, limit: int = 100,
    ) -> list[ReviewEvent]:
        check_event_filters(kinds, REVIEW_EVENT_KINDS, "review event kinds", limit)
        where = _event_where(
            {"source": source_ids, "entity_id": entity_ids, "review_id": review_ids, "kind": kinds}, since, until
        )
        return self._list_events("review_events", ReviewEvent, where, limit)

    def list_crawl_events(
        self, *, source_ids: Sequence[str] | None = None, entity_ids: Sequence[str] | None = None,
        statuses: Sequence[str] | None = None, since: datetime | None = None, until: datetime | None = None,
        limit: int = 100,
    ) -> list[CrawlEvent]:
        check_event_filters(statuses, CRAWL_STATUSES, "crawl statuses", limit)
        where = _event_where({"source": source_ids, "entity_id": entity_ids, "status": statuses}, since, until)
        return self._list_events("crawl_events", CrawlEvent, where, limit)

    def _list_events(self, table: str, model: type, where: Where, limit: int) -> list:
        sql = f"SELECT record FROM {table} WHERE {where.sql()} ORDER BY occurred_at DESC, event_id ASC LIMIT ?"
        with self._reading(f"reading {table.replace('_', ' ')}") as connection:
            rows = connection.execute(sql, where.params + [limit]).fetchall()
        return [model.model_validate_json(row[0]) for row in rows]

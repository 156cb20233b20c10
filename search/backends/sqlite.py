"""``SQLiteReviewStore``: the embedded default store, one SQLite file with FTS5, for one machine.

It implements ``search.backends.base.ReviewStore`` and passes the same contract suite as the
Elasticsearch backend (``search/testing.py``). Writes are upserts by record id inside one
``BEGIN IMMEDIATE`` transaction per call, so a batch is all-or-nothing and concurrent writers
queue on SQLite's lock instead of interleaving. Schema and connections: ``sqlite_schema``;
SQL text: ``sqlite_sql``.

Reads no settings itself; ``search.factory.get_store`` passes ``store.sqlite_path``.

Example::

    store = SQLiteReviewStore("starwatch.sqlite")
    store.upsert_reviews([review])
    page = store.search(SearchQuery(text='accueil "service rapide"', entity_ids=["cafe-du-port"]))
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator, Literal, Sequence

from search.backends import sqlite_documents, sqlite_sql
from search.backends.base import QueryError, RatingStats, SearchHit, SearchPage, SearchQuery, WriteSummary
from search.backends.records import DOCUMENT_MODELS, utc_key
from search.backends.snippets import marked_to_html
from search.backends.sqlite_driver import sqlite3
from search.backends.sqlite_facets import FacetCounter
from search.backends.sqlite_figures import SQLiteFiguresMixin
from search.backends.sqlite_saved import SQLiteSavedSearchMixin
from search.backends.sqlite_schema import ConnectionPool, unavailable
from search.backends.sqlite_alerts import SQLiteAlertMixin
from search.backends.sqlite_authenticity import SQLiteAuthenticityMixin
from search.backends.sqlite_crawl import SQLiteCrawlRecords
from search.documents import DocumentKind, Incident, Mention, RatingSnapshot, Review
from search.queries import STAR_RANGES, check_search_query
from search.query_text import parse_query_text


class SQLiteReviewStore(
    SQLiteAlertMixin, SQLiteCrawlRecords, SQLiteFiguresMixin, SQLiteSavedSearchMixin, SQLiteAuthenticityMixin
):
    """Reviews, mentions, snapshots and incidents in one SQLite file.

    :param path: the database file; created, with its directory, on first use.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._pool = ConnectionPool(self.path)
        self._facets = FacetCounter()

    def __repr__(self) -> str:
        return f"SQLiteReviewStore({str(self.path)!r})"

    # -- plumbing -------------------------------------------------------------------------------

    @contextmanager
    def _reading(self, action: str) -> Iterator[sqlite3.Connection]:
        connection = self._pool.get()
        try:
            yield connection
        except sqlite3.OperationalError as exc:
            if "fts5" in str(exc):
                raise QueryError(f"the search text cannot be run ({exc}); simplify it") from None
            raise unavailable(self.path, exc, action) from None
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError)):
                raise
            raise unavailable(self.path, exc, action) from None

    @contextmanager
    def _writing(self, action: str) -> Iterator[sqlite3.Connection]:
        with self._reading(action) as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    # -- lifecycle ------------------------------------------------------------------------------

    def ensure_ready(self) -> None:
        """Create the file, its directory and the tables if missing (idempotent)."""
        with self._reading("preparing its tables") as connection:
            connection.execute("SELECT 1 FROM documents LIMIT 1").fetchall()

    def refresh(self) -> None:
        """Nothing to do: a committed write is visible to every later read."""

    def close(self) -> None:
        self._pool.close_all()
        self._facets.forget()

    # -- documents ------------------------------------------------------------------------------

    def upsert_reviews(self, reviews: Sequence[Review]) -> WriteSummary:
        return self._upsert_documents(reviews, Review, "upsert_reviews")

    def upsert_mentions(self, mentions: Sequence[Mention]) -> WriteSummary:
        return self._upsert_documents(mentions, Mention, "upsert_mentions")

    def _upsert_documents(self, records: Sequence, model: type, method: str) -> WriteSummary:
        for record in records:
            if not isinstance(record, model):
                raise TypeError(f"{method} expects {model.__name__} records, got {type(record).__name__}")
        with self._writing("writing documents") as connection:
            created, updated = sqlite_documents.write_documents(connection, records)
        return WriteSummary(created=created, updated=updated)

    def get_review(self, review_id: str) -> Review | None:
        with self._reading("reading a review") as connection:
            row = connection.execute(
                "SELECT record FROM documents WHERE doc_id = ? AND kind = 'review'", (review_id,)
            ).fetchone()
        return None if row is None else Review.model_validate_json(row[0])

    def count(self, kind: DocumentKind = "review", entity_id: str | None = None) -> int:
        where = sqlite_sql.Where()
        where.add("d.kind = ?", kind)
        if entity_id is not None:
            where.add("d.entity_id = ?", entity_id)
        with self._reading("counting documents") as connection:
            return connection.execute(f"SELECT COUNT(*) FROM documents d WHERE {where.sql()}", where.params).fetchone()[0]

    def search(self, query: SearchQuery) -> SearchPage:
        with self._reading("searching") as connection:
            return sqlite_documents.run_search(connection, query, self._facets, self._pool.beside)

    # -- ratings --------------------------------------------------------------------------------

    def rating_stats(
        self, entity_ids: Sequence[str], since: datetime | None, until: datetime | None
    ) -> dict[str, RatingStats]:
        result = {entity_id: _empty_stats(entity_id) for entity_id in entity_ids}
        if not result:
            return result
        where = sqlite_sql.rated_reviews(list(result), since, until)
        sql = (
            f"SELECT d.entity_id, COUNT(*), AVG(d.rating), {sqlite_sql.star_count_columns()}"
            f" FROM documents d WHERE {where.sql()} GROUP BY d.entity_id"
        )
        with self._reading("computing rating statistics") as connection:
            rows = connection.execute(sql, where.params).fetchall()
        for entity_id, count, average, *stars in rows:
            distribution = {star: int(n or 0) for (star, _low, _high), n in zip(STAR_RANGES, stars)}
            result[entity_id] = RatingStats(entity_id, count, average, distribution)
        return result

    def lowest_rated(
        self, entity_id: str, since: datetime | None, until: datetime | None, limit: int = 5
    ) -> list[Review]:
        where = sqlite_sql.rated_reviews([entity_id], since, until)
        sql = (
            f"SELECT d.record FROM documents d WHERE {where.sql()}"
            f" ORDER BY d.rating ASC, {sqlite_sql.DATE_ORDER} LIMIT ?"
        )
        with self._reading("finding the lowest-rated reviews") as connection:
            rows = connection.execute(sql, where.params + [max(0, limit)]).fetchall()
        return [Review.model_validate_json(row[0]) for row in rows]

    # -- snapshots ------------------------------------------------------------------------------

    def add_snapshots(self, snapshots: Sequence[RatingSnapshot]) -> int:
        """Upsert snapshots by id; returns how many were new."""
        created = 0
        with self._writing("writing rating snapshots") as connection:
            for snapshot in snapshots:
                exists = connection.execute(
                    "SELECT 1 FROM snapshots WHERE snapshot_id = ?", (snapshot.snapshot_id,)
                ).fetchone()
                connection.execute(
                    "INSERT OR REPLACE INTO snapshots (snapshot_id, entity_id, source, observed_at, record)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (snapshot.snapshot_id, snapshot.entity_id, snapshot.source,
                     utc_key(snapshot.observed_at), snapshot.model_dump_json()),
                )
                created += exists is None
        return created

    def latest_snapshots(self, entity_ids: Sequence[str]) -> dict[str, list[RatingSnapshot]]:
        return self._latest_snapshots(entity_ids)

    def _latest_snapshots(self, entity_ids: Sequence[str], until: datetime | None = None
                          ) -> dict[str, list[RatingSnapshot]]:
        """Per entity, the newest snapshot of each source (observed before ``until`` if given)."""
        result: dict[str, list[RatingSnapshot]] = {entity_id: [] for entity_id in entity_ids}
        if not result:
            return result
        where = sqlite_sql.Where()
        where.add_in("entity_id", list(result))
        if until is not None:
            where.add("observed_at < ?", utc_key(until))
        sql = (
            "SELECT record FROM (SELECT record, entity_id, source, ROW_NUMBER() OVER ("
            " PARTITION BY entity_id, source ORDER BY observed_at DESC, snapshot_id DESC) AS position"
            f" FROM snapshots WHERE {where.sql()}) WHERE position = 1 ORDER BY entity_id, source"
        )
        with self._reading("reading rating snapshots") as connection:
            for (record_json,) in connection.execute(sql, where.params):
                snapshot = RatingSnapshot.model_validate_json(record_json)
                result[snapshot.entity_id].append(snapshot)
        return result

    # -- incidents ------------------------------------------------------------------------------

    def save_incident(self, incident: Incident) -> None:
        with self._writing("saving an incident") as connection:
            connection.execute(
                "INSERT OR REPLACE INTO incidents (incident_id, rule_id, entity_id, status, opened_at, record)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (incident.incident_id, incident.rule_id, incident.entity_id, incident.status,
                 utc_key(incident.opened_at), incident.model_dump_json()),
            )

    def get_open_incident(self, rule_id: str, entity_id: str) -> Incident | None:
        with self._reading("reading incidents") as connection:
            row = connection.execute(
                "SELECT record FROM incidents WHERE rule_id = ? AND entity_id = ? AND status = 'open'"
                " ORDER BY opened_at DESC, incident_id ASC LIMIT 1",
                (rule_id, entity_id),
            ).fetchone()
        return None if row is None else Incident.model_validate_json(row[0])

    def list_incidents(self, status: Literal["open", "resolved"] | None = None) -> list[Incident]:
        """Incidents, newest opened first, optionally only ``open`` or ``resolved`` ones."""
        where = sqlite_sql.Where()
        if status is not None:
            where.add("status = ?", status)
        with self._reading("reading incidents") as connection:
            rows = connection.execute(
                f"SELECT record FROM incidents WHERE {where.sql()} ORDER BY opened_at DESC, incident_id ASC",
                where.params,
            ).fetchall()
        return [Incident.model_validate_json(row[0]) for row in rows]


def _empty_stats(entity_id: str) -> RatingStats:
    return RatingStats(entity_id, 0, None, {star: 0 for star, _low, _high in STAR_RANGES})

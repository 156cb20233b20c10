"""SQLite schema and connections for ``SQLiteReviewStore``.

Tables: ``documents`` (reviews and mentions: one typed column per search filter plus the record
as JSON), ``documents_fts`` (FTS5 over title and text, rowid = ``documents.id``), ``snapshots``,
``incidents`` and the alert delivery log (``alert_deliveries``, ``alert_marks``). FTS5 uses
``unicode61 remove_diacritics 2`` so that "cafe" finds "café" and "creme brulee" finds "crème brûlée" in French reviews.

Search support (schema version 2): ``document_tags`` holds one row per aspect or flag of a
document, for filters and facets on those lists (an aspect row keeps that aspect's sentiment);
``sentiment_score`` and ``authenticity_weight`` are columns for aspect sentiment and adjusted
averages; ``saved_searches`` keeps named searches. Schema version 3 is for speed at a million
documents: ``documents_columns`` (every filter column by id, for the full-text side),
``document_facets``/``facet_values`` (facet codes, ``sqlite_facets``), ``review_totals``
(all-time sums kept with every write, ``sqlite_totals``), a covering tag index, and a trigger
that deletes a deleted document's full-text row, tags and codes.

The version lives in ``PRAGMA user_version``; a file from an older starwatch is upgraded in
place when first opened, inside one write transaction (two processes opening it at once cannot
both migrate), with the new columns, tags, codes and totals back-filled from the stored
records. Upgrading a populated file logs a warning before and after (about a minute per
million documents).

Connections are opened in WAL mode with a busy timeout: a Celery worker can write while the CLI
reads, and a writer waits for another writer instead of failing at once. Each thread (and each
forked process) gets its own connection, because a sqlite3 connection must not be shared across
threads or survive a fork. ``ConnectionPool.beside`` lends a helper thread (with its own
connection) for work a search runs in parallel: its facet count. Reads no settings: the path comes from ``store.sqlite_path`` via
``search.factory.get_store``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from search.backends import sqlite_facets, sqlite_totals
from search.backends.base import StoreUnavailable
from search.backends.sqlite_authenticity import AUTHENTICITY_SCHEMA
from search.backends.sqlite_crawl import CRAWL_SCHEMA
from search.backends.sqlite_driver import sqlite3
from search.backends.sqlite_sql import COLUMNS_INDEX_DDL

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 3
BUSY_TIMEOUT_SECONDS = 10.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    source TEXT NOT NULL,
    language TEXT,
    sentiment_label TEXT,
    rating REAL,
    published_at TEXT,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_by_entity ON documents (entity_id, kind, published_at);
CREATE INDEX IF NOT EXISTS documents_by_date ON documents (published_at);
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts
    USING fts5(title, text, tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_id TEXT PRIMARY KEY,
    entity_id TEXT NOT NULL,
    source TEXT NOT NULL,
    observed_at TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS snapshots_by_series ON snapshots (entity_id, source, observed_at);
CREATE TABLE IF NOT EXISTS incidents (
    incident_id TEXT PRIMARY KEY,
    rule_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    status TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_by_rule ON incidents (rule_id, entity_id, status);
CREATE TABLE IF NOT EXISTS alert_deliveries (
    delivery_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    incident_id TEXT,
    created_at TEXT NOT NULL,
    not_before TEXT NOT NULL,
    claimed_at TEXT,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alert_deliveries_by_status ON alert_deliveries (status, created_at);
CREATE TABLE IF NOT EXISTS alert_marks (
    name TEXT PRIMARY KEY,
    at TEXT NOT NULL
);
"""
SCHEMA += CRAWL_SCHEMA  # crawl state, review events, crawl events (search/backends/sqlite_crawl.py)
SCHEMA += AUTHENTICITY_SCHEMA  # report cards and campaigns (search/backends/sqlite_authenticity.py)

# Applied in order to files below their version; each entry brings a file to that version.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    2: (
        "ALTER TABLE documents ADD COLUMN sentiment_score REAL",
        "ALTER TABLE documents ADD COLUMN authenticity_weight REAL",
        "UPDATE documents SET sentiment_score = json_extract(record, '$.sentiment_score'),"
        " authenticity_weight = json_extract(record, '$.authenticity_weight')",
        "CREATE TABLE IF NOT EXISTS document_tags (doc INTEGER NOT NULL, field TEXT NOT NULL,"
        " value TEXT NOT NULL, score REAL, PRIMARY KEY (field, value, doc)) WITHOUT ROWID",
        "CREATE INDEX IF NOT EXISTS document_tags_by_doc ON document_tags (doc, field)",
        "INSERT OR IGNORE INTO document_tags (doc, field, value, score) SELECT d.id, 'aspects', j.value,"
        " COALESCE(json_extract(d.record, '$.aspect_sentiments.' || json_quote(j.value)),"
        " json_extract(d.record, '$.sentiment_score')) FROM documents d, json_each(d.record, '$.aspects') j",
        "INSERT OR IGNORE INTO document_tags (doc, field, value) SELECT d.id, 'flags', j.value"
        " FROM documents d, json_each(d.record, '$.flags') j",
        "CREATE INDEX IF NOT EXISTS documents_by_date_id ON documents (published_at DESC, doc_id)",
        "CREATE INDEX IF NOT EXISTS documents_by_entity_date ON documents (entity_id, published_at DESC, doc_id)",
        "CREATE TABLE IF NOT EXISTS saved_searches (name TEXT PRIMARY KEY, record TEXT NOT NULL)",
        # Covers every column comparisons read, so their scans skip the wide JSON rows.
        "CREATE INDEX IF NOT EXISTS documents_ratings ON documents"
        " (kind, entity_id, published_at, rating, authenticity_weight, sentiment_label)",
    ),
    3: (
        COLUMNS_INDEX_DDL,  # filter columns by id, for the full-text side (sqlite_plan)
        # Tags by document with their score: comparisons read aspects without touching the table.
        "DROP INDEX IF EXISTS document_tags_by_doc",
        "CREATE INDEX document_tags_by_doc ON document_tags (doc, field, value, score)",
        *sqlite_facets.MIGRATION,  # facet codes per document
        *sqlite_totals.MIGRATION,  # all-time totals per entity, kept with every write
        # Deleting a document (no store method does yet; SQL or a later one may) takes its
        # full-text row, tags and facet codes with it, so no search finds what is gone.
        "CREATE TRIGGER IF NOT EXISTS documents_delete_cascade AFTER DELETE ON documents BEGIN"
        " DELETE FROM documents_fts WHERE rowid = old.id; DELETE FROM document_tags WHERE doc = old.id;"
        " DELETE FROM document_facets WHERE id = old.id; END",
    ),
}


def unavailable(path: Path, exc: BaseException, action: str) -> StoreUnavailable:
    """A ``StoreUnavailable`` that names the file and says what to check."""
    detail = str(exc) or type(exc).__name__
    if "locked" in detail or "busy" in detail:
        hint = (
            f"another process kept a write lock for more than {BUSY_TIMEOUT_SECONDS:.0f} s; "
            "retry, or look for a stuck starwatch process"
        )
    elif "not a database" in detail:
        hint = "this file is not a SQLite database; point store.sqlite_path (STARWATCH_STORE__SQLITE_PATH) at another file"
    else:
        hint = (
            "check that the directory exists and this user can write to it, or set "
            "store.sqlite_path (STARWATCH_STORE__SQLITE_PATH) to a writable file"
        )
    return StoreUnavailable(f"SQLite database {path} cannot be used while {action} ({detail}): {hint}")


HELPER_THREADS = min(4, os.cpu_count() or 1)


class ConnectionPool:
    """One connection per thread and process, all closed by ``close_all``.

    The schema is created on the first connection of each pool, so every store method works on
    a fresh file and ``ensure_ready`` is just "open once".
    """

    def __init__(self, path: Path):
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[sqlite3.Connection] = []
        self._generation = 0
        self._schema_ready = False
        self._helpers: ThreadPoolExecutor | None = None
        self._helpers_pid = 0

    def get(self) -> sqlite3.Connection:
        key = (os.getpid(), self._generation)
        if getattr(self._local, "key", None) != key:
            self._local.connection = self._open()
            self._local.key = key
        return self._local.connection

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise unavailable(self.path, exc, "opening it") from None
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            _enable_wal(connection)
            connection.execute("PRAGMA synchronous = NORMAL")
            self._create_schema(connection)
        except sqlite3.Error as exc:
            connection.close()
            raise unavailable(self.path, exc, "preparing its tables") from None
        with self._lock:
            self._opened.append(connection)
        return connection

    def _create_schema(self, connection: sqlite3.Connection) -> None:
        if self._schema_ready:
            return
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"schema version {version} is newer than this starwatch understands ({SCHEMA_VERSION}); upgrade starwatch"
            )
        if version == SCHEMA_VERSION:
            connection.executescript(SCHEMA)  # up to date: only tables added without a migration
        else:
            _create_and_migrate(connection, self.path)
        self._schema_ready = True

    def beside(self, work: Callable[[sqlite3.Connection], Any]) -> Future:
        """Run ``work(connection)`` on a helper thread, with that thread's own connection.

        The helpers are few (``HELPER_THREADS``): concurrent searches share them and wait their
        turn rather than each adding threads. A forked process starts its own (threads do not
        survive a fork).
        """
        with self._lock:
            if self._helpers is None or self._helpers_pid != os.getpid():
                self._helpers = ThreadPoolExecutor(HELPER_THREADS, thread_name_prefix="starwatch-sqlite")
                self._helpers_pid = os.getpid()
            helpers = self._helpers
        return helpers.submit(lambda: work(self.get()))

    def close_all(self) -> None:
        with self._lock:
            helpers, self._helpers = self._helpers, None
        if helpers is not None and self._helpers_pid == os.getpid():
            helpers.shutdown(wait=True)  # their connections are closed below, after their work
        with self._lock:
            opened, self._opened = self._opened, []
            self._generation += 1
        for connection in opened:
            try:
                connection.close()
            except sqlite3.Error:
                pass  # closing is best effort; the file stays consistent thanks to WAL


def _create_and_migrate(connection: sqlite3.Connection, path: Path) -> None:
    """Create missing tables and run the migrations this file lacks, in one write transaction.

    ``BEGIN IMMEDIATE`` takes the write lock first, so a second process opening the file at the
    same moment waits for it (busy timeout) instead of failing on a stale read snapshot, and
    then finds the file already migrated. Readers keep reading the old version meanwhile (WAL).
    Upgrading a file that holds documents is logged, since it rebuilds indexes and back-fills
    tables: about a minute per million documents.
    """
    try:
        connection.executescript("BEGIN IMMEDIATE;" + SCHEMA)  # leaves the transaction open
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        started = time.monotonic()
        documents = connection.execute("SELECT COUNT(*) FROM documents").fetchone()[0] if version else 0
        if documents:
            logger.warning("upgrading SQLite store %s from schema %d to %d (%d documents): building its search"
                           " indexes, about a minute per million documents; until it is done, writers in"
                           " other processes may time out and should retry",
                           path, version, SCHEMA_VERSION, documents)
        for target in range(max(version, 1) + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[target]:
                connection.execute(statement)
        if version < SCHEMA_VERSION:
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
        if documents:
            logger.warning("upgraded SQLite store %s to schema %d in %.0f s", path, SCHEMA_VERSION,
                           time.monotonic() - started)
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


def _enable_wal(connection: sqlite3.Connection) -> None:
    """Switch to WAL, waiting while another connection switches the same new file.

    Changing the journal mode does not go through the busy handler: two processes opening a
    fresh file at the same instant make one of them fail at once with "database is locked".
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)

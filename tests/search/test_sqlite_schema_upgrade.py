"""A SQLite file written by the first schema upgrades itself on first open, losing nothing."""

from __future__ import annotations

import json
import sqlite3

from search.backends.base import SearchQuery
from search.backends.sqlite import SQLiteReviewStore
from search.backends.sqlite_schema import SCHEMA_VERSION
from search.testing_depth_corpus import depth_reviews

SCHEMA_V1 = """
CREATE TABLE documents (id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
    entity_id TEXT NOT NULL, source TEXT NOT NULL, language TEXT, sentiment_label TEXT, rating REAL,
    published_at TEXT, record TEXT NOT NULL);
CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, tokenize = 'unicode61 remove_diacritics 2');
PRAGMA user_version = 1;
"""


def test_version_1_file_is_upgraded_and_back_filled(tmp_path):
    path = tmp_path / "old.sqlite"
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA_V1)
    for row_id, (name, review) in enumerate(depth_reviews().items(), start=1):
        record = json.loads(review.model_dump_json())
        connection.execute(
            "INSERT INTO documents (id, doc_id, kind, entity_id, source, language, sentiment_label, rating,"
            " published_at, record) VALUES (?, ?, 'review', ?, ?, ?, ?, ?, NULL, ?)",
            (row_id, review.review_id, review.entity_id, review.source, review.language, review.sentiment_label,
             review.rating, json.dumps(record)))
        connection.execute("INSERT INTO documents_fts (rowid, title, text) VALUES (?, ?, ?)",
                           (row_id, review.title or "", review.text))
    connection.commit()
    connection.close()

    store = SQLiteReviewStore(path)
    assert store.count() == len(depth_reviews())
    assert store.search(SearchQuery(aspects=["prix"])).total == 3
    assert store.search(SearchQuery(exclude_flags=["verified"], text="service")).total == 3
    assert store.search(SearchQuery(facets=["flags"], limit=0)).facets["flags"] == {"verified": 2, "suspect-burst": 1}
    store.close()
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    weights = check.execute("SELECT COUNT(*) FROM documents WHERE authenticity_weight = 0.5").fetchone()[0]
    assert weights == 1
    check.close()

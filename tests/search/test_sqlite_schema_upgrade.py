"""A SQLite file written by the first schema upgrades itself on first open, losing nothing."""

from __future__ import annotations

import json

from search.backends.base import SearchQuery
from search.backends.sqlite import SQLiteReviewStore
from search.backends.sqlite_driver import sqlite3
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


def test_version_2_file_gets_its_totals_and_facet_codes_with_a_log_line(tmp_path, caplog):
    from search.backends.records import aspect_scores
    from search.backends.sqlite_schema import MIGRATIONS, SCHEMA
    from search.facets import FACET_NAMES
    from search.figures import FiguresRequest
    from search.testing_depth_corpus import NORD, WINDOW_SINCE, WINDOW_UNTIL

    path = tmp_path / "v2.sqlite"
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA)
    for statement in MIGRATIONS[2]:
        connection.execute(statement)
    for row_id, review in enumerate(depth_reviews().values(), start=1):  # as starwatch wrote them at version 2
        connection.execute(
            "INSERT INTO documents (id, doc_id, kind, entity_id, source, language, sentiment_label, rating,"
            " published_at, record, sentiment_score, authenticity_weight) VALUES (?, ?, 'review', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row_id, review.review_id, review.entity_id, review.source, review.language, review.sentiment_label,
             review.rating, review.published_at and review.published_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
             review.model_dump_json(), review.sentiment_score, review.authenticity_weight))
        connection.execute("INSERT INTO documents_fts (rowid, title, text) VALUES (?, ?, ?)",
                           (row_id, review.title or "", review.text))
        connection.executemany("INSERT INTO document_tags (doc, field, value, score) VALUES (?, ?, ?, ?)",
                               [(row_id, "aspects", a, score) for a, score in aspect_scores(review)]
                               + [(row_id, "flags", f, None) for f in review.flags])
    connection.execute("PRAGMA user_version = 2")
    connection.commit()
    connection.close()

    reference = SQLiteReviewStore(tmp_path / "fresh.sqlite")  # the same reviews written by this version
    reference.upsert_reviews(list(depth_reviews().values()))
    with caplog.at_level("WARNING", logger="search.backends.sqlite_schema"):
        store = SQLiteReviewStore(path)
        assert store.count() == len(depth_reviews())
    assert "upgrading SQLite store" in caplog.text and "from schema 2 to 3" in caplog.text
    request = FiguresRequest([NORD], WINDOW_SINCE, WINDOW_UNTIL, exclude_flags=["suspect-burst"])
    assert store.entity_figures(request) == reference.entity_figures(request)
    for query in (SearchQuery(facets=FACET_NAMES, limit=0), SearchQuery(text="service", facets=FACET_NAMES)):
        assert store.search(query).facets == reference.search(query).facets
    store.upsert_reviews([depth_reviews()["a1"].model_copy(update={"rating": 1})])  # writes keep them up to date
    reference.upsert_reviews([depth_reviews()["a1"].model_copy(update={"rating": 1})])
    assert store.entity_figures(request) == reference.entity_figures(request)
    store.close()
    reference.close()

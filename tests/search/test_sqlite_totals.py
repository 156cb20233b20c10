"""SQLite's maintained totals and facet codes stay equal to what the documents say.

``review_totals`` (all-time comparison figures) and ``document_facets`` (facet counts) are kept
by the write path and by triggers; these tests write, rewrite and delete at random and compare
them with a fresh computation over ``documents``. Deleting goes through SQL: no store method
deletes documents yet, and the triggers must hold for whatever does it later.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from search.backends.base import SearchQuery
from search.backends.sqlite import SQLiteReviewStore
from search.backends.sqlite_driver import sqlite3
from search.backends.sqlite_sql import star_case
from search.documents import Mention, Review, make_mention_id, make_review_id
from search.facets import FACET_NAMES
from search.figures import FiguresRequest

UTC = timezone.utc
START = datetime(2024, 1, 1, tzinfo=UTC)
RECOMPUTED = (f"SELECT entity_id, {star_case('rating')}, COUNT(*), SUM(rating),"
              " SUM(rating * COALESCE(authenticity_weight, 1.0)), SUM(COALESCE(authenticity_weight, 1.0)),"
              " COUNT(authenticity_weight) FROM documents WHERE kind = 'review' AND rating IS NOT NULL GROUP BY 1, 2")


def review(number: int, rng: random.Random) -> Review:
    return Review(
        review_id=make_review_id("site", str(number)), source=rng.choice(["site", "maps"]), platform="schema_org",
        external_id=str(number), entity_id=rng.choice(["e1", "e2", "e3"]),
        rating=rng.choice([None, 1, 1.5, 2.4, 3, 3.5, 4.49, 4.5, 5]), title="t", text=f"texte numéro {number}",
        language=rng.choice(["fr", "en", None]),
        published_at=rng.choice([None, START + timedelta(days=rng.randrange(60))]),
        sentiment_label=rng.choice(["positive", "negative", None]),
        aspects=rng.sample(["service", "prix", "cuisine"], 2),
        flags=rng.sample(["verified", "burst", "edited"], rng.randrange(3)),
        authenticity_weight=rng.choice([None, None, 0.0, 0.25, 1.0]),
    )


def totals(path) -> dict:
    with sqlite3.connect(path) as connection:
        stored = {(e, s): (n, r, w, ws, c) for e, s, n, r, w, ws, c in connection.execute(
            "SELECT entity_id, star, reviews, rating_sum, weighted_sum, weight_sum, weighted FROM review_totals"
            " WHERE reviews > 0")}
        fresh = {(e, s): (n, r, w, ws, c) for e, s, n, r, w, ws, c in connection.execute(RECOMPUTED)}
    return {"stored": stored, "fresh": fresh}


def assert_totals_match(path) -> None:
    found = totals(path)
    assert found["stored"].keys() == found["fresh"].keys()
    for key, values in found["fresh"].items():
        assert found["stored"][key] == pytest.approx(values), key


def facets_by_hand(store, query: SearchQuery) -> dict:
    """The facets of ``query`` counted from the hits' records, the slow obvious way."""
    every = SearchQuery(**{**query.__dict__, "limit": 1000, "facets": ()})
    hits = [hit.document for hit in store.search(every).hits]
    counted: dict[str, dict[str, int]] = {name: {} for name in FACET_NAMES}

    def add(name, value):
        if value is not None:
            counted[name][str(value)] = counted[name].get(str(value), 0) + 1

    for document in hits:
        for name in ("kind", "entity_id", "source", "language", "sentiment_label"):
            add(name, getattr(document, name))
        rating = getattr(document, "rating", None)
        add("stars", None if rating is None else min(5, max(1, int(rating + 0.5))))
        for aspect in document.aspects:
            add("aspects", aspect)
        for flag in document.flags:
            add("flags", flag)
    counted["stars"] = {star: counted["stars"].get(star, 0) for star in "12345"}
    return counted


def test_random_writes_rewrites_and_deletes_keep_totals_and_facets_exact(tmp_path):
    path = tmp_path / "store.sqlite"
    store = SQLiteReviewStore(path)
    rng = random.Random(7)
    for _round in range(6):
        store.upsert_reviews([review(rng.randrange(80), rng) for _ in range(40)])  # new and rewritten ids
        url = f"https://example.org/{rng.randrange(9)}"
        store.upsert_mentions([Mention(mention_id=make_mention_id("feed", url, "m"), source="feed", platform="feed",
                                       entity_id="e1", url=url, text="un texte", published_at=START)])
        with sqlite3.connect(path) as connection:  # the newest rows too: their ids are then given again
            ids = [row[0] for row in connection.execute("SELECT doc_id FROM documents ORDER BY id")]
            doomed = rng.sample(ids, 4) + ids[-1:]
            connection.executemany("DELETE FROM documents WHERE doc_id = ?", [(doc_id,) for doc_id in doomed])
        assert_totals_match(path)
        for query in (SearchQuery(facets=FACET_NAMES), SearchQuery(text="texte", entity_ids=["e2"], facets=FACET_NAMES),
                      SearchQuery(text="numéro", min_rating=2, languages=["fr"], facets=FACET_NAMES)):
            assert store.search(query).facets == facets_by_hand(store, query)
    with sqlite3.connect(path) as connection:
        for table, column in (("document_facets", "id"), ("documents_fts", "rowid"), ("document_tags", "doc")):
            orphans = f"SELECT COUNT(*) FROM {table} WHERE {column} NOT IN (SELECT id FROM documents)"
            assert connection.execute(orphans).fetchone()[0] == 0, table
    store.close()


def test_deleted_review_leaves_the_all_time_figures(tmp_path):
    path = tmp_path / "store.sqlite"
    store = SQLiteReviewStore(path)
    rng = random.Random(1)
    kept = review(1, rng).model_copy(update={"entity_id": "e9", "rating": 4, "published_at": START})
    gone = review(2, rng).model_copy(update={"entity_id": "e9", "rating": 1, "published_at": None})
    store.upsert_reviews([kept, gone])
    request = FiguresRequest(["e9"], START, START + timedelta(days=30))
    assert store.entity_figures(request)["e9"].all_time.count == 2
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM documents WHERE doc_id = ?", (gone.review_id,))
    all_time = store.entity_figures(request)["e9"].all_time
    assert (all_time.count, all_time.average, all_time.distribution) == (1, 4.0, {1: 0, 2: 0, 3: 0, 4: 1, 5: 0})
    page = store.search(SearchQuery(text="texte", facets=["entity_id"]))
    assert [hit.document.doc_id for hit in page.hits] == [kept.review_id] and page.facets == {"entity_id": {"e9": 1}}
    store.close()


def test_an_emptied_bucket_holds_exact_zeros_and_unchanged_rewrites_touch_nothing(tmp_path):
    path = tmp_path / "store.sqlite"
    store = SQLiteReviewStore(path)
    rng = random.Random(3)
    first = review(1, rng).model_copy(update={"entity_id": "e5", "rating": 0.1, "authenticity_weight": 0.3})
    second = review(2, rng).model_copy(update={"entity_id": "e5", "rating": 0.2, "authenticity_weight": None})
    store.upsert_reviews([first, second])
    before = totals(path)["stored"]
    store.upsert_reviews([first, second] * 3)
    assert totals(path)["stored"] == before  # bit for bit: the trigger did not even run
    store.upsert_reviews([first.model_copy(update={"rating": 5}), second.model_copy(update={"rating": None})])
    with sqlite3.connect(path) as connection:
        emptied = connection.execute("SELECT reviews, rating_sum, weighted_sum, weight_sum, weighted FROM review_totals"
                                     " WHERE entity_id = 'e5' AND star = 1").fetchone()
    assert emptied == (0, 0.0, 0.0, 0.0, 0)
    assert_totals_match(path)
    store.close()

"""Contract: figures and facets follow a review that is written again with other values.

Re-crawls write the same review again, often unchanged, sometimes edited (another rating, an
authenticity weight set by the checks, new flags). A backend that keeps running totals or facet
codes (SQLite, ``sqlite_totals`` and ``sqlite_facets``) must take the old version off and count
the new one, never both; these tests hold every backend to that. Part of
``search.testing.StoreContract``; each test writes into the per-test ``store``. Reads no settings.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from search.backends.base import SearchQuery
from search.documents import Review, make_review_id
from search.figures import FiguresRequest

UTC = timezone.utc
SINCE, UNTIL = datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)
approx = pytest.approx


def _review(name: str, entity: str, rating: float | None, published: datetime | None, **extra) -> Review:
    fields = dict(review_id=make_review_id("rewrite-site", name), source="rewrite-site", platform="schema_org",
                  external_id=name, entity_id=entity, rating=rating, title="Avis", language="fr",
                  text=f"Avis {name} sur le service et la terrasse.", published_at=published,
                  sentiment_label="positive")
    return Review(**{**fields, **extra})


def _figures(store, *entities: str, flags=()):
    return store.entity_figures(FiguresRequest(list(entities), SINCE, UNTIL, exclude_flags=list(flags)))


class RewriteContract:
    def test_all_time_figures_follow_rewritten_reviews(self, store):
        inside = _review("dans-la-fenetre", "rw-a", 5, datetime(2024, 5, 10, tzinfo=UTC))
        older = _review("plus-ancien", "rw-a", 1, datetime(2023, 1, 10, tzinfo=UTC))
        undated = _review("sans-date", "rw-a", 4, None)
        later = _review("apres-la-fin", "rw-a", 3, datetime(2024, 7, 1, tzinfo=UTC))
        store.upsert_reviews([inside, older, undated, later])
        store.refresh()
        first = _figures(store, "rw-a")["rw-a"]
        assert (first.all_time.count, first.all_time.average) == (3, approx(10 / 3))  # "later" is after until

        store.upsert_reviews([inside.model_copy(update={"rating": 2, "authenticity_weight": 0.5}),
                              older.model_copy(update={"entity_id": "rw-b"}),
                              undated, later])  # two edited, two written again unchanged
        store.refresh()
        figures = _figures(store, "rw-a", "rw-b")
        moved, kept = figures["rw-b"], figures["rw-a"]
        assert (kept.all_time.count, kept.all_time.average) == (2, approx(3.0))
        assert kept.all_time.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 0}
        assert (kept.window.count, kept.window.average, kept.window.adjusted_average) == (1, approx(2.0), approx(2.0))
        assert kept.all_time.adjusted_weight == approx(1.5)  # 0.5 for the weighted one, 1 for the other
        assert (moved.all_time.count, moved.all_time.average) == (1, approx(1.0))

        store.upsert_reviews([undated.model_copy(update={"rating": None}),
                              inside.model_copy(update={"rating": 2, "authenticity_weight": None})])
        store.refresh()
        last = _figures(store, "rw-a")["rw-a"]
        assert (last.all_time.count, last.all_time.average, last.all_time.adjusted_average) == (1, approx(2.0), None)
        assert last.all_time.distribution == {1: 0, 2: 1, 3: 0, 4: 0, 5: 0}

    def test_flagged_review_weighs_nothing_after_it_is_flagged(self, store):
        plain = _review("simple", "rw-c", 4, datetime(2024, 5, 3, tzinfo=UTC))
        suspect = _review("suspect", "rw-c", 5, datetime(2022, 5, 3, tzinfo=UTC))
        store.upsert_reviews([plain, suspect])
        store.refresh()
        assert _figures(store, "rw-c", flags=["burst"])["rw-c"].all_time.adjusted_average is None
        store.upsert_reviews([suspect.model_copy(update={"flags": ["burst"]})])
        store.refresh()
        after = _figures(store, "rw-c", flags=["burst"])["rw-c"]
        assert (after.all_time.count, after.all_time.average) == (2, approx(4.5))
        assert (after.all_time.adjusted_average, after.all_time.adjusted_weight) == (approx(4.0), approx(1.0))

    def test_facets_follow_rewritten_reviews(self, store):
        first = _review("facettes", "rw-d", 5, datetime(2024, 5, 3, tzinfo=UTC), aspects=["service"],
                        flags=["verified"])
        other = _review("autre", "rw-d", 1, datetime(2024, 5, 4, tzinfo=UTC), aspects=["service"])
        store.upsert_reviews([first, other])
        store.refresh()
        store.upsert_reviews([first.model_copy(update={"rating": 3, "language": "en", "aspects": ["terrasse"],
                                                       "flags": [], "sentiment_label": "neutral"})])
        store.refresh()
        facets = store.search(SearchQuery(text="terrasse", entity_ids=["rw-d"], limit=0,
                                          facets=["stars", "language", "aspects", "flags", "sentiment_label"])).facets
        assert facets == {"stars": {"1": 1, "2": 0, "3": 1, "4": 0, "5": 0}, "language": {"fr": 1, "en": 1},
                          "aspects": {"service": 1, "terrasse": 1}, "flags": {},
                          "sentiment_label": {"neutral": 1, "positive": 1}}

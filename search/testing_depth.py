"""Contract for search in depth and comparisons: filters on lists, facets, cursors, saved searches
and ``entity_figures``. Part of ``search.testing.StoreContract``.

Read-only contracts share one corpus per test class (``search.testing_depth_corpus``), written
once into ``class_store``: a fresh, empty, ready store with class scope that each backend's test
class provides next to ``store``. Creating an Elasticsearch index per test would cost more than
the tests themselves. Contracts that write use the per-test ``store``. Reads no settings.
"""

from __future__ import annotations

import pytest

from search.backends.base import QueryError, SearchPage, SearchQuery
from search.cursors import encode_cursor
from search.testing_depth_corpus import NORD, SUD, depth_mentions, depth_names, depth_reviews

HOSTILE_FILTER_VALUES = ["*", "_index:x", "' OR '1'='1", "%", "\" OR 1=1 --", "documents_fts", "a\x00b", "🍕"]


def names(page: SearchPage) -> list[str]:
    by_id = depth_names()
    return [by_id.get(hit.document.doc_id, hit.document.doc_id) for hit in page.hits]


def walk(store, query: SearchQuery) -> list[str]:
    """Every hit of ``query``, page after page through ``next_cursor``."""
    seen: list[str] = []
    page = store.search(query)
    while True:
        seen.extend(names(page))
        if page.next_cursor is None:
            return seen
        assert len(seen) < 1000, "a cursor walk must end"
        page = store.search(SearchQuery(**{**query.__dict__, "cursor": page.next_cursor}))


class _DepthFixture:
    @pytest.fixture(scope="class")
    @classmethod
    def class_store(cls):
        raise NotImplementedError("a backend test class must provide a class-scoped, fresh `class_store` fixture")

    @pytest.fixture(scope="class")
    @classmethod
    def depth(cls, class_store):
        class_store.upsert_reviews(list(depth_reviews().values()))
        class_store.upsert_mentions(list(depth_mentions().values()))
        class_store.refresh()
        return class_store


class ListFiltersContract(_DepthFixture):
    @pytest.mark.parametrize(("filters", "expected"), [
        ({"aspects": ["prix"]}, {"a1", "a4", "b2"}),
        ({"aspects": ["attente", "cuisine"]}, {"a3", "a6", "b1", "b2"}),
        ({"aspects": []}, set()),
        ({"flags": ["verified"]}, {"a1", "a2"}),
        ({"exclude_flags": ["suspect-burst", "verified"], "entity_ids": [NORD], "kinds": ["review"]},
         {"a4", "a5", "a6", "a7", "a8", "a9"}),
        ({"exclude_flags": []}, None),
        ({"aspects": ["service"], "text": "service", "languages": ["en"]}, {"a2", "b3"}),
    ])
    def test_list_filters(self, depth, filters, expected):
        page = depth.search(SearchQuery(limit=100, **filters))
        everything = set(depth_names().values())
        assert set(names(page)) == (everything if expected is None else expected)

    @pytest.mark.parametrize("value", HOSTILE_FILTER_VALUES)
    def test_hostile_filter_values_match_nothing(self, depth, value):
        for field in ("entity_ids", "sources", "languages", "aspects", "flags"):
            assert depth.search(SearchQuery(**{field: [value]})).total == 0, field
        assert depth.search(SearchQuery(exclude_flags=[value], kinds=["mention"])).total == 5


class FacetsContract(_DepthFixture):
    def test_every_facet_of_one_entity(self, depth):
        page = depth.search(SearchQuery(entity_ids=[NORD], kinds=["review"], facets=[
            "entity_id", "kind", "source", "language", "sentiment_label", "aspects", "flags", "stars"], limit=0))
        assert page.hits == [] and page.total == 9
        assert page.facets == {
            "entity_id": {NORD: 9}, "kind": {"review": 9}, "source": {"nord-site": 5, "nord-maps": 4},
            "language": {"fr": 5, "en": 4}, "sentiment_label": {"positive": 5, "negative": 2, "neutral": 2},
            "aspects": {"service": 4, "prix": 2, "attente": 1, "cuisine": 1, "terrasse": 1},
            "flags": {"verified": 2, "suspect-burst": 1}, "stars": {"1": 1, "2": 1, "3": 1, "4": 2, "5": 3},
        }
        assert list(page.facets["sentiment_label"]) == ["positive", "negative", "neutral"]

    def test_facets_follow_text_and_filters(self, depth):
        page = depth.search(SearchQuery(text="service", facets=["entity_id", "stars"]))
        assert page.facets == {"entity_id": {NORD: 4, SUD: 1}, "stars": {"1": 0, "2": 1, "3": 1, "4": 1, "5": 2}}

    def test_unknown_facet_is_a_query_error_naming_the_known_ones(self, depth):
        with pytest.raises(QueryError, match="aspects"):
            depth.search(SearchQuery(facets=["_index"]))


class CursorContract(_DepthFixture):
    @pytest.mark.parametrize("query", [
        SearchQuery(sort="date", limit=4),
        SearchQuery(text="service OR the OR le", limit=2),
        SearchQuery(text="service OR the OR le", sort="date", limit=3),
        SearchQuery(entity_ids=[NORD], kinds=["review"], sort="date", limit=1),
        SearchQuery(text="service OR the OR le", languages=["fr", "en"], min_rating=1, limit=2),
    ], ids=["date", "relevance", "text-by-date", "one-per-page", "relevance-filtered"])
    def test_cursor_walk_returns_every_hit_once_in_order(self, depth, query):
        everything = names(depth.search(SearchQuery(**{**query.__dict__, "limit": 100})))
        assert walk(depth, query) == everything
        assert len(everything) == len(set(everything)) > query.limit

    def test_every_page_of_a_filtered_search_has_the_same_total(self, depth):
        query = SearchQuery(text="service OR the OR le", languages=["fr", "en"], min_rating=1, limit=2)
        first = depth.search(query)
        second = depth.search(SearchQuery(**{**query.__dict__, "cursor": first.next_cursor}))
        beyond = depth.search(SearchQuery(**{**query.__dict__, "offset": 98}))
        everything = depth.search(SearchQuery(**{**query.__dict__, "limit": 100}))
        assert first.total == second.total == beyond.total == len(everything.hits) > 2
        assert beyond.hits == []

    def test_last_page_has_no_cursor(self, depth):
        assert depth.search(SearchQuery(entity_ids=[SUD], limit=10)).next_cursor is None
        page = depth.search(SearchQuery(entity_ids=[SUD], kinds=["review"], limit=4))
        assert len(page.hits) == 4 and page.next_cursor is None

    def test_cursor_of_another_search_is_refused(self, depth):
        cursor = depth.search(SearchQuery(sort="date", limit=2)).next_cursor
        with pytest.raises(QueryError, match="another search"):
            depth.search(SearchQuery(sort="date", limit=2, entity_ids=[NORD], cursor=cursor))
        with pytest.raises(QueryError, match="cursor or an offset"):
            depth.search(SearchQuery(sort="date", limit=2, offset=2, cursor=cursor))

    @pytest.mark.parametrize("cursor", ["", "not-a-cursor", "eyJ2IjoxfQ", "x" * 5000, "🍕",
                                        encode_cursor("another-store", SearchQuery(sort="date"), ["x", "y"])])
    def test_damaged_or_foreign_cursor_is_a_query_error(self, depth, cursor):
        with pytest.raises(QueryError):
            depth.search(SearchQuery(sort="date", cursor=cursor))

    def test_total_is_a_lower_bound_past_exact_total_up_to(self, depth):
        capped = depth.search(SearchQuery(exact_total_up_to=3, limit=2))
        assert (capped.total, capped.total_exact, len(capped.hits)) == (3, False, 2)
        exact = depth.search(SearchQuery(exact_total_up_to=18))
        assert (exact.total, exact.total_exact) == (18, True)

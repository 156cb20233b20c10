"""Elasticsearch request bodies, checked as plain dicts (no cluster needed)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from search import queries, queries_search
from search.backends.base import QueryError, SearchQuery
from search.backends.snippets import MARK_END, MARK_START
from search.query_text import parse_query_text

UTC = timezone.utc
BY_DATE = [{"published_at": {"order": "desc", "missing": "_last"}}, {"doc_id": {"order": "asc"}}]


def sqs(text: str) -> dict:
    return {
        "simple_query_string": {
            "query": text,
            "fields": ["search_title^2", "search_text"],
            "default_operator": "and",
            "flags": "AND|OR|PHRASE|PREFIX|PRECEDENCE|WHITESPACE",
            "analyze_wildcard": True,
        }
    }


def test_search_body_with_text_filters_and_exclusion():
    query = SearchQuery(
        text="Café OR thé -froid", entity_ids=["cafe-du-port"], kinds=["review"], languages=["fr"],
        min_rating=2, since=datetime(2024, 3, 1, 1, tzinfo=timezone(timedelta(hours=1))), limit=10, offset=20,
    )
    assert queries_search.search_body(query, parse_query_text(query.text)) == {
        "query": {
            "bool": {
                "filter": [
                    {"terms": {"entity_id": ["cafe-du-port"]}},
                    {"terms": {"kind": ["review"]}},
                    {"terms": {"language": ["fr"]}},
                    {"range": {"rating": {"gte": 2}}},
                    {"range": {"published_at": {"gte": "2024-03-01T00:00:00+00:00"}}},
                ],
                "must": [sqs('("cafe" | "the")')],
                "must_not": [sqs('"froid"')],
            }
        },
        "sort": [{"_score": {"order": "desc"}}, {"doc_id": {"order": "asc"}}],
        "from": 20,
        "size": 11,  # one more than the page: tells whether a next page exists
        "track_total_hits": 10_000,
        "highlight": {
            "pre_tags": [MARK_START],
            "post_tags": [MARK_END],
            "number_of_fragments": 0,
            "fields": {"search_title": {}, "search_text": {}},
        },
    }


def test_search_body_without_text_sorts_by_date_and_has_no_highlight():
    query = SearchQuery(sources=[], max_rating=4, until=datetime(2024, 4, 1), sort="relevance")
    assert queries_search.search_body(query, parse_query_text("")) == {
        "query": {
            "bool": {
                "filter": [
                    {"terms": {"source": []}},
                    {"range": {"rating": {"lte": 4}}},
                    {"range": {"published_at": {"lt": "2024-04-01T00:00:00+00:00"}}},
                ]
            }
        },
        "sort": BY_DATE,
        "size": 21,
        "track_total_hits": 10_000,
    }


def test_search_body_deep_page_facets_language_fields_and_list_filters():
    query = SearchQuery(text="accueil", aspects=["service"], flags=["verified"], exclude_flags=["suspect"],
                        facets=["aspects", "stars"], limit=5, exact_total_up_to=500)
    body = queries_search.search_body(query, parse_query_text(query.text), search_after=[1.5, 1714550400000, "r_1"],
                                      language_fields=True)
    assert body["query"]["bool"]["filter"] == [
        {"terms": {"aspects": ["service"]}}, {"terms": {"flags": ["verified"]}},
        {"bool": {"must_not": [{"terms": {"flags": ["suspect"]}}]}},
    ]
    assert body["query"]["bool"]["should"] == [{"simple_query_string": {
        **sqs('"accueil"')["simple_query_string"],
        "fields": ["search_title.french^2", "search_text.french", "search_title.english^2", "search_text.english"]}}]
    assert body["search_after"] == [1.5, 1714550400000, "r_1"] and "from" not in body
    assert (body["size"], body["track_total_hits"]) == (6, 500)
    assert body["aggs"] == {
        "facet_aspects": {"terms": {"field": "aspects", "size": 20, "order": [{"_count": "desc"}, {"_key": "asc"}]}},
        "facet_stars": {"range": {"field": "rating", "ranges": [
            {"key": "1", "to": 1.5}, {"key": "2", "from": 1.5, "to": 2.5}, {"key": "3", "from": 2.5, "to": 3.5},
            {"key": "4", "from": 3.5, "to": 4.5}, {"key": "5", "from": 4.5}]}},
    }


def test_search_body_at_the_edge_of_the_offset_window_asks_no_extra_hit():
    body = queries_search.search_body(SearchQuery(offset=9_980, limit=20), parse_query_text(""))
    assert (body["from"], body["size"]) == (9_980, 20)
    assert queries_search.search_body(SearchQuery(limit=0, facets=["kind"]), parse_query_text("x"))["size"] == 0


def test_search_in_a_point_in_time_names_no_index_and_stays_in_the_documents_indices():
    query = SearchQuery(entity_ids=["cafe"], sort="date", limit=3)
    body = queries_search.search_body(query, parse_query_text(""))
    pit = queries_search.in_point_in_time(body, "pit-1", "5m", ["t-documents-v1", "t-documents-v2"])
    assert pit == {**body, "pit": {"id": "pit-1", "keep_alive": "5m"}, "query": {"bool": {"filter": [
        {"terms": {"entity_id": ["cafe"]}}, {"terms": {"_index": ["t-documents-v1", "t-documents-v2"]}}]}}}
    assert "index" not in pit and body["query"]["bool"]["filter"] == [{"terms": {"entity_id": ["cafe"]}}]


@pytest.mark.parametrize("bad", [{"facets": ["nope"]}, {"facets": "kind"}, {"aspects": "service"},
                                 {"exact_total_up_to": 0}, {"min_rating": float("nan")},
                                 {"entity_ids": ["e"] * 10_001}])
def test_check_search_query_refuses_with_a_message(bad):
    with pytest.raises(QueryError):
        queries.check_search_query(SearchQuery(**bad))


def test_rating_stats_is_one_aggregation_for_all_entities():
    body = queries.rating_stats_body(["a", "b"], datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 3, 8, tzinfo=UTC))
    assert body == {
        "size": 0,
        "query": {
            "bool": {
                "filter": [
                    {"term": {"kind": "review"}},
                    {"terms": {"entity_id": ["a", "b"]}},
                    {"exists": {"field": "rating"}},
                    {"range": {"published_at": {"gte": "2024-03-01T00:00:00+00:00", "lt": "2024-03-08T00:00:00+00:00"}}},
                ]
            }
        },
        "aggs": {
            "entities": {
                "terms": {"field": "entity_id", "size": 2},
                "aggs": {
                    "average": {"avg": {"field": "rating"}},
                    "stars": {
                        "range": {
                            "field": "rating",
                            "ranges": [
                                {"key": "1", "to": 1.5},
                                {"key": "2", "from": 1.5, "to": 2.5},
                                {"key": "3", "from": 2.5, "to": 3.5},
                                {"key": "4", "from": 3.5, "to": 4.5},
                                {"key": "5", "from": 4.5},
                            ],
                        }
                    },
                },
            }
        },
    }


def test_lowest_rated_body():
    assert queries.lowest_rated_body("a", None, None, 3) == {
        "size": 3,
        "query": {"bool": {"filter": [
            {"term": {"kind": "review"}}, {"terms": {"entity_id": ["a"]}}, {"exists": {"field": "rating"}},
        ]}},
        "sort": [{"rating": {"order": "asc"}}] + [
            {"published_at": {"order": "desc", "missing": "_last"}}, {"doc_id": {"order": "asc"}},
        ],
    }


def test_latest_snapshots_body_uses_top_hits_per_source():
    assert queries.latest_snapshots_body(["a"]) == {
        "size": 0,
        "query": {"bool": {"filter": [{"terms": {"entity_id": ["a"]}}]}},
        "aggs": {
            "entities": {
                "terms": {"field": "entity_id", "size": 1},
                "aggs": {
                    "sources": {
                        "terms": {"field": "source", "size": 200, "order": {"_key": "asc"}},
                        "aggs": {"latest": {"top_hits": {"size": 1, "sort": [{"observed_at": {"order": "desc"}}]}}},
                    }
                },
            }
        },
    }


def test_count_and_incident_bodies():
    assert queries.count_body("mention", "a") == {
        "query": {"bool": {"filter": [{"term": {"kind": "mention"}}, {"term": {"entity_id": "a"}}]}}
    }
    assert queries.count_body("review", None) == {"query": {"bool": {"filter": [{"term": {"kind": "review"}}]}}}
    newest = [{"opened_at": {"order": "desc"}}, {"incident_id": {"order": "asc"}}]
    assert queries.open_incident_body("drop", "a") == {
        "size": 1,
        "query": {"bool": {"filter": [
            {"term": {"rule_id": "drop"}}, {"term": {"entity_id": "a"}}, {"term": {"status": "open"}},
        ]}},
        "sort": newest,
    }
    assert queries.list_incidents_body(None, 50) == {"size": 50, "query": {"bool": {"filter": []}}, "sort": newest}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"limit": 1001}, "limit must be between 0 and 1000"),
        ({"offset": -1}, "offset must be 0 or more"),
        ({"offset": 9999, "limit": 2}, "within the first 10000 results"),
        ({"sort": "rating"}, "sort must be"),
        ({"sources": "port-site"}, r"sources must be a list of values, e.g. \['port-site'\]"),
        ({"sentiment_labels": ["angry"]}, r"unknown values \['angry'\]"),
    ],
)
def test_check_search_query_explains_the_fix(fields, message):
    with pytest.raises(QueryError, match=message):
        queries.check_search_query(SearchQuery(**fields))

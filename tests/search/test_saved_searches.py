"""Search specs and saved searches as values: validation and the SearchQuery they stand for."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from search.backends.base import QueryError
from search.saved_searches import SavedSearch, SearchSpec, check_saved_search_name, load_saved_search

UTC = timezone.utc
NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)


def test_groups_and_moving_windows_are_resolved_at_run_time():
    spec = SearchSpec(text="service", entity_ids=["extra"], group_ids=["rivals"], within_days=7, sort="relevance")
    query = spec.to_query(members_of_group={"rivals": ["a", "extra", "b"]}.__getitem__, now=NOW, limit=5,
                          facets=["kind"])
    assert query.entity_ids == ["extra", "a", "b"]
    assert query.since == datetime(2024, 5, 25, 12, tzinfo=UTC)
    assert (query.limit, query.facets, query.sort) == (5, ("kind",), "relevance")


def test_empty_text_sorts_by_date_and_groups_need_a_resolver():
    assert SearchSpec(sort="relevance").to_query().sort == "date"
    with pytest.raises(QueryError, match="members_of_group"):
        SearchSpec(group_ids=["rivals"]).to_query()


@pytest.mark.parametrize("bad", [
    {"text": "x" * 3000}, {"text": "***"}, {"min_rating": 4, "max_rating": 2}, {"min_rating": 7},
    {"within_days": 7, "since": NOW}, {"kinds": ["tweet"]}, {"sentiment_labels": ["angry"]},
    {"entity_ids": ["e"] * 1001}, {"unknown_filter": 1},
])
def test_invalid_specs_are_refused_with_a_reason(bad):
    with pytest.raises(ValidationError):
        SearchSpec(**bad)


def test_naive_dates_are_utc_and_saved_searches_round_trip():
    saved = SavedSearch(name="mai", since=datetime(2024, 5, 1), text='"service lent"')
    assert saved.since.tzinfo is not None
    assert load_saved_search(saved.model_dump_json(), "test") == saved
    assert saved.spec() == SearchSpec(since=datetime(2024, 5, 1, tzinfo=UTC), text='"service lent"')


def test_a_corrupt_stored_record_names_where_it_is():
    with pytest.raises(QueryError, match="saved_searches table"):
        load_saved_search('{"name": "x", "min_rating": "many"}', "the saved_searches table")


@pytest.mark.parametrize("name", ["ok-name", "v2.search_1"])
def test_valid_names(name):
    assert check_saved_search_name(name) == name

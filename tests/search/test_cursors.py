"""Page cursors: they round-trip, and refuse another search, another backend or damage."""

from __future__ import annotations

import pytest

from search.backends.base import QueryError, SearchQuery
from search.cursors import MAX_CURSOR_CHARS, decode_cursor, decode_position, encode_cursor, fits, query_fingerprint

QUERY = SearchQuery(text='service "très lent"', entity_ids=["cafe"], sort="date", limit=10)


def test_round_trip_keeps_the_sort_key():
    key = [1.25, "2024-05-02T10:00:00.000000Z", "r_é"]
    cursor = encode_cursor("sqlite", QUERY, key)
    assert cursor.isascii() and "=" not in cursor
    assert decode_cursor("sqlite", SearchQuery(**{**QUERY.__dict__, "cursor": cursor}), 3) == key


def test_paging_fields_do_not_change_the_fingerprint_but_filters_do():
    same = SearchQuery(**{**QUERY.__dict__, "limit": 50, "facets": ("kind",), "exact_total_up_to": 7})
    assert query_fingerprint(same) == query_fingerprint(QUERY)
    assert query_fingerprint(SearchQuery(**{**QUERY.__dict__, "entity_ids": ["other"]})) != query_fingerprint(QUERY)
    assert query_fingerprint(SearchQuery(**{**QUERY.__dict__, "sort": "relevance"})) != query_fingerprint(QUERY)


def test_no_cursor_means_first_page():
    assert decode_cursor("sqlite", QUERY, 2) is None


@pytest.mark.parametrize(("backend", "length", "message"), [
    ("elasticsearch", 2, "made by the 'sqlite' store"),
    ("sqlite", 3, "damaged"),
])
def test_wrong_backend_or_shape_is_refused(backend, length, message):
    cursor = encode_cursor("sqlite", QUERY, ["2024", "r_1"])
    with pytest.raises(QueryError, match=message):
        decode_cursor(backend, SearchQuery(**{**QUERY.__dict__, "cursor": cursor}), length)


def test_nested_values_in_a_key_are_damage():
    cursor = encode_cursor("sqlite", QUERY, [{"$gt": 1}, "r_1"])
    with pytest.raises(QueryError, match="damaged"):
        decode_cursor("sqlite", SearchQuery(**{**QUERY.__dict__, "cursor": cursor}), 2)


def test_a_point_in_time_rides_along_with_its_key():
    pit = "gc-bBAMLcHJvYmUtcGl0LXgWMk1nQWgx_bl+/Ab=="
    cursor = encode_cursor("elasticsearch", QUERY, [1714550400000, "r_1", 8589934601], pit)
    position = decode_position("elasticsearch", SearchQuery(**{**QUERY.__dict__, "cursor": cursor}), (2, 3))
    assert (position.key, position.pit_id) == ([1714550400000, "r_1", 8589934601], pit)
    plain = encode_cursor("elasticsearch", QUERY, [1714550400000, "r_1"])
    assert decode_position("elasticsearch", SearchQuery(**{**QUERY.__dict__, "cursor": plain}), (2, 3)).pit_id is None


@pytest.mark.parametrize("pit", ["", "a b", "x" * 7000, 42, ["id"], "id\u0000"])
def test_a_point_in_time_id_that_is_not_one_is_damage(pit):
    cursor = encode_cursor("elasticsearch", QUERY, [1, "r_1"], pit)
    with pytest.raises(QueryError, match="damaged|not one starwatch made"):
        decode_position("elasticsearch", SearchQuery(**{**QUERY.__dict__, "cursor": cursor}), (2, 3))


def test_a_cursor_too_long_to_pass_back_does_not_fit():
    assert fits(encode_cursor("elasticsearch", QUERY, [1, "r_1"], "A" * 3000))
    assert not fits(encode_cursor("elasticsearch", QUERY, [1, "r_1"], "A" * (MAX_CURSOR_CHARS)))

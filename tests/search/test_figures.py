"""Comparison figures: buckets, the adjusted average rule, request checks, and the ES bodies."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from search.backends.base import QueryError
from search.figures import FiguresRequest, adjusted, bucket_start, bucket_starts, check_figures_request
from search.queries_figures import entity_chunks, figures_bodies, mentions_body, rating_metrics

UTC = timezone.utc


def at(month, day, hour=0):
    return datetime(2024, month, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(("interval", "expected"), [
    ("day", at(5, 2)), ("week", at(4, 29)), ("month", at(5, 1))])
def test_bucket_start_in_utc(interval, expected):
    assert bucket_start(datetime(2024, 5, 2, 23, 30, tzinfo=timezone.utc), interval) == expected


def test_bucket_starts_cover_the_window_and_cross_the_year():
    assert bucket_starts(at(5, 1), at(6, 1), "week")[0] == at(4, 29)
    assert bucket_starts(at(5, 1), at(6, 1), "week")[-1] == at(5, 27)
    assert bucket_starts(datetime(2023, 11, 15, tzinfo=UTC), at(2, 1), "month") == [
        datetime(2023, 11, 1, tzinfo=UTC), datetime(2023, 12, 1, tzinfo=UTC), at(1, 1)]


def test_adjusted_average_needs_a_signal_and_some_weight():
    assert adjusted(10.0, 3.5, signals=1) == (pytest.approx(10 / 3.5), 3.5)
    assert adjusted(10.0, 4.0, signals=0) == (None, None)
    assert adjusted(0.0, 0.0, signals=2) == (None, 0.0)


@pytest.mark.parametrize("bad", [
    FiguresRequest(["a"], at(5, 1), at(5, 1)), FiguresRequest("a", at(5, 1), at(6, 1)),
    FiguresRequest(["a"], at(5, 1), at(6, 1), interval="quarter"),
    FiguresRequest(["a"], at(5, 1), at(6, 1), previous_since=at(5, 2)),
    FiguresRequest(["a"], at(5, 1), at(6, 1), max_aspects=0),
])
def test_requests_that_cannot_be_answered(bad):
    with pytest.raises(QueryError):
        check_figures_request(bad)


def test_previous_window_defaults_to_the_same_length_before():
    assert FiguresRequest(["a"], at(5, 11), at(5, 21)).previous_start == at(5, 1)


def test_one_body_per_kind_for_a_thousand_entities_and_chunks_beyond():
    ids = [f"e{n}" for n in range(1000)]
    bodies = figures_bodies(FiguresRequest(ids, at(5, 1), at(6, 1), interval="day"))
    assert [kind for kind, _body in bodies] == ["ratings", "series", "aspects", "aspects", "aspects", "mentions"]
    aspect_chunks = [b["query"]["bool"]["filter"][1]["terms"]["entity_id"] for kind, b in bodies if kind == "aspects"]
    assert sum(len(chunk) for chunk in aspect_chunks) == 1000
    assert entity_chunks([f"e{n}" for n in range(5)], 20_000) == [["e0", "e1"], ["e2", "e3"], ["e4"]]


def test_rating_metrics_use_no_script():
    metrics = rating_metrics(["suspect"])
    assert metrics["adjusted"] == {
        "filter": {"bool": {"must_not": [{"terms": {"flags": ["suspect"]}}]}},
        "aggs": {"weighted": {"sum": {"field": "weighted_rating"}}, "weight": {"sum": {"field": "effective_weight"}}}}
    assert metrics["signals"] == {"filter": {"bool": {"should": [
        {"exists": {"field": "authenticity_weight"}}, {"terms": {"flags": ["suspect"]}}], "minimum_should_match": 1}}}
    assert "script" not in repr(figures_bodies(FiguresRequest(["a"], at(5, 1), at(6, 1))))


def test_mentions_body():
    assert mentions_body(FiguresRequest(["a", "b"], at(5, 1), at(6, 1)), ["a", "b"]) == {
        "size": 0,
        "query": {"bool": {"filter": [
            {"term": {"kind": "mention"}}, {"terms": {"entity_id": ["a", "b"]}},
            {"range": {"published_at": {"gte": "2024-05-01T00:00:00+00:00", "lt": "2024-06-01T00:00:00+00:00"}}}]}},
        "aggs": {"entities": {"terms": {"field": "entity_id", "size": 2}}},
    }

"""Contract for ``entity_figures`` (comparisons) and saved searches. Part of ``StoreContract``.

Figures run on the shared depth corpus (``search.testing_depth_corpus``): May 2024 is the window,
April the previous window. Expected values are worked out by hand in the comments. Reads no
settings.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from search.backends.base import QueryError, SearchQuery
from search.figures import AspectFigures, FiguresRequest, SeriesPoint
from search.saved_searches import SavedSearch
from search.testing_depth import _DepthFixture, names
from search.testing_depth_corpus import EST, NORD, SUD, UTC, WINDOW_SINCE, WINDOW_UNTIL

approx = pytest.approx


def request(interval="week", **extra) -> FiguresRequest:
    return FiguresRequest([NORD, SUD, EST, "nobody"], WINDOW_SINCE, WINDOW_UNTIL, interval=interval, **extra)


def day(month: int, number: int) -> datetime:
    return datetime(2024, month, number, tzinfo=UTC)


class EntityFiguresContract(_DepthFixture):
    def test_windows(self, depth):
        figures = depth.entity_figures(request())
        nord, sud = figures[NORD], figures[SUD]
        # May: a1 5, a2 4, a3 1, a4 2 (a8 unrated, a9 published at the window's exclusive end)
        assert (nord.window.count, nord.window.average) == (4, approx(3.0))
        assert nord.window.distribution == {1: 1, 2: 1, 3: 0, 4: 1, 5: 1}
        assert (nord.previous.count, nord.previous.average) == (1, approx(3.0))  # a5
        # before June, or undated: a1-a7 = 24 stars / 7
        assert (nord.all_time.count, nord.all_time.average) == (7, approx(24 / 7))
        assert nord.all_time.distribution == {1: 1, 2: 1, 3: 1, 4: 2, 5: 2}
        assert (sud.window.count, sud.window.average) == (3, approx((4.5 + 3.5 + 2.4) / 3))
        assert sud.window.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
        assert (sud.previous.count, sud.previous.distribution[2]) == (1, 1)  # b4 rated 1.5 rounds up to 2
        assert (figures[EST].window.count, figures[EST].all_time.average) == (0, None)
        assert figures["nobody"].mentions == 0 and figures["nobody"].series == []

    def test_authenticity_adjusted_average(self, depth):
        plain = depth.entity_figures(request())
        # only a2 carries a weight (0.5): (5 + 4*0.5 + 1 + 2) / 3.5
        assert plain[NORD].window.adjusted_average == approx(10 / 3.5)
        assert plain[NORD].window.adjusted_weight == approx(3.5)
        assert plain[SUD].window.adjusted_average is None  # no signal at all: no adjusted figure
        flagged = depth.entity_figures(request(exclude_flags=["suspect-burst"]))
        # a3 is flagged and weighs 0: (5 + 2 + 2) / 2.5
        assert flagged[NORD].window.adjusted_average == approx(9 / 2.5)
        assert flagged[NORD].all_time.adjusted_average == approx((24 - 2 - 1) / 5.5)
        assert flagged[NORD].window.average == approx(3.0)  # the raw average never changes

    @pytest.mark.parametrize(("interval", "expected"), [
        ("day", [(day(5, 2), 1, 5.0), (day(5, 6), 1, 4.0), (day(5, 7), 1, 1.0), (day(5, 20), 1, 2.0)]),
        ("week", [(day(4, 29), 1, 5.0), (day(5, 6), 2, 2.5), (day(5, 20), 1, 2.0)]),
        ("month", [(day(5, 1), 4, 3.0)]),
    ])
    def test_series(self, depth, interval, expected):
        series = depth.entity_figures(request(interval))[NORD].series
        assert [(p.start, p.count, approx(p.average)) for p in series] == expected

    def test_series_buckets_are_utc_and_end_at_the_window(self, depth):
        assert depth.entity_figures(request("week"))[SUD].series == [
            SeriesPoint(day(4, 29), 1, approx(4.5)), SeriesPoint(day(5, 13), 1, approx(3.5)),
            SeriesPoint(day(5, 27), 1, approx(2.4))]

    def test_aspects(self, depth):
        figures = depth.entity_figures(request())
        assert figures[NORD].aspects == [
            # prix: a1 scored the prices 0.3 itself (its overall 0.8 is not used), a4 -0.4
            AspectFigures("service", 3, approx(0.2), 2, 0, 1), AspectFigures("prix", 2, approx(-0.05), 1, 0, 1),
            AspectFigures("attente", 1, approx(-0.7), 0, 0, 1), AspectFigures("terrasse", 1, approx(0.1), 0, 1, 0)]
        assert [a.aspect for a in figures[SUD].aspects] == ["cuisine", "prix", "service"]
        assert [a.aspect for a in depth.entity_figures(request(max_aspects=2))[NORD].aspects] == ["service", "prix"]

    def test_mentions_in_the_window(self, depth):
        figures = depth.entity_figures(request())
        assert {entity: figures[entity].mentions for entity in (NORD, SUD, EST)} == {NORD: 1, SUD: 1, EST: 2}

    def test_empty_and_invalid_requests(self, depth):
        assert depth.entity_figures(FiguresRequest([], WINDOW_SINCE, WINDOW_UNTIL)) == {}
        with pytest.raises(QueryError):
            depth.entity_figures(request("hour"))
        with pytest.raises(QueryError):
            depth.entity_figures(FiguresRequest([NORD], WINDOW_UNTIL, WINDOW_SINCE))
        with pytest.raises(QueryError, match="longer interval"):
            depth.entity_figures(FiguresRequest([NORD], day(1, 1), datetime(2026, 1, 1, tzinfo=UTC), interval="day"))


class SavedSearchContract(_DepthFixture):
    def test_save_list_replace_delete(self, store):
        first = SavedSearch(name="lent", text='"service lent" OR slow', languages=["fr", "en"], within_days=7)
        store.save_search(first)
        store.save_search(SavedSearch(name="avis-negatifs", sentiment_labels=["negative"]))
        assert [s.name for s in store.list_saved_searches()] == ["avis-negatifs", "lent"]
        assert store.get_saved_search("lent") == first
        store.save_search(first.model_copy(update={"text": "slow"}))
        assert store.get_saved_search("lent").text == "slow"
        assert store.delete_saved_search("lent") is True
        assert store.delete_saved_search("lent") is False
        assert store.get_saved_search("lent") is None

    @pytest.mark.parametrize("name", ["../x", "A", "", "x" * 80, "_all", "*", "a b"])
    def test_invalid_names_are_query_errors(self, store, name):
        with pytest.raises(QueryError, match="saved-search name"):
            store.get_saved_search(name)

    def test_saved_search_runs_like_the_query_it_stands_for(self, depth):
        saved = SavedSearch(name="service-groupe", text="service", group_ids=["rivals"], sort="date",
                            within_days=45)
        depth.save_search(saved)
        stored = depth.get_saved_search("service-groupe")
        query = stored.to_query(members_of_group={"rivals": [SUD, NORD]}.__getitem__, now=WINDOW_UNTIL)
        assert query.entity_ids == [SUD, NORD] and query.since == day(4, 17)
        assert names(depth.search(query)) == ["a9", "b3", "a2", "a1"]
        assert names(depth.search(query)) == names(depth.search(SearchQuery(
            text="service", entity_ids=[NORD, SUD], since=day(4, 17), sort="date")))

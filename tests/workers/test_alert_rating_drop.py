"""Rule math for ``rating_drop`` with a frozen clock (pure logic, so a small in-memory store)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from config.settings import ConfigError, RatingDropRule as RatingDropOptions
from search.backends.base import RatingStats
from workers.alerts.rules import RULE_TYPES, RatingDropMatch, RatingDropRule, build_rule
from workers.alerts.rules.rating_drop import compare_windows, rating_drop_windows

NOW = datetime(2024, 3, 12, 10, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


class InMemoryRatingStore:
    """Only what the rule reads: ``rating_stats`` over (entity, published_at, rating) rows."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, datetime, float]] = []
        self.stats_calls: list[tuple[tuple[str, ...], datetime | None, datetime | None]] = []

    def add(self, entity_id: str, published_at: datetime, *ratings: float) -> None:
        self.rows.extend((entity_id, published_at, rating) for rating in ratings)

    def rating_stats(self, entity_ids, since, until):
        self.stats_calls.append((tuple(entity_ids), since, until))
        result = {}
        for entity_id in entity_ids:
            ratings = [
                r for e, at, r in self.rows
                if e == entity_id and (since is None or at >= since) and (until is None or at < until)
            ]
            average = sum(ratings) / len(ratings) if ratings else None
            result[entity_id] = RatingStats(entity_id, len(ratings), average)
        return result


def options(**overrides) -> RatingDropOptions:
    defaults = dict(recent_days=7, baseline_days=30, min_recent_reviews=5, min_baseline_reviews=5, min_drop=0.3)
    return RatingDropOptions(**{**defaults, **overrides})


def evaluate_one(store: InMemoryRatingStore, rule_options: RatingDropOptions, entity_id: str = "cafe"):
    [evaluation] = RatingDropRule(rule_options).evaluate(store, [entity_id], NOW)
    return evaluation


def test_fires_on_a_real_drop_with_figures_and_windows():
    store = InMemoryRatingStore()
    store.add("cafe", NOW - 20 * DAY, 5, 5, 4, 4, 5, 4, 4, 5, 4, 4)  # baseline: 4.4 from 10
    store.add("cafe", NOW - 2 * DAY, 4, 4, 4, 4, 4, 4, 4, 3, 4, 4)  # recent: 3.9 from 10

    evaluation = evaluate_one(store, options())

    assert evaluation.outcome == "match"
    match = evaluation.match
    assert isinstance(match, RatingDropMatch)
    assert (match.entity_id, match.rule_type, match.evaluated_at) == ("cafe", "rating_drop", NOW)
    assert match.old_average == pytest.approx(4.4)
    assert match.new_average == pytest.approx(3.9)
    assert match.drop == pytest.approx(0.5)
    assert (match.baseline_count, match.recent_count) == (10, 10)
    assert (match.recent_window.start, match.recent_window.end) == (NOW - 7 * DAY, NOW)
    assert (match.baseline_window.start, match.baseline_window.end) == (NOW - 37 * DAY, NOW - 7 * DAY)
    details = match.details()
    assert details["recent_window"] == {"start": (NOW - 7 * DAY).isoformat(), "end": NOW.isoformat()}
    assert details["recent_count"] == 10 and details["drop"] == pytest.approx(0.5)


def test_small_recent_sample_never_fires_even_on_a_huge_drop():
    store = InMemoryRatingStore()
    store.add("cafe", NOW - 20 * DAY, *[5] * 20)
    store.add("cafe", NOW - 1 * DAY, 1, 1, 1, 1)  # four one-star reviews, minimum is five

    evaluation = evaluate_one(store, options())

    assert evaluation.outcome == "insufficient"
    assert evaluation.match is None
    assert "min_recent_reviews=5" in evaluation.reason


def test_small_baseline_sample_never_fires():
    store = InMemoryRatingStore()
    store.add("cafe", NOW - 20 * DAY, 5, 5)
    store.add("cafe", NOW - 1 * DAY, *[2] * 8)

    evaluation = evaluate_one(store, options())

    assert evaluation.outcome == "insufficient"
    assert "min_baseline_reviews=5" in evaluation.reason


def test_small_drop_is_clear_not_a_match():
    store = InMemoryRatingStore()
    store.add("cafe", NOW - 20 * DAY, 5, 4, 4, 4, 5)  # 4.4
    store.add("cafe", NOW - 2 * DAY, 4, 4, 4, 4, 5, 5, 4, 4, 4, 4)  # 4.2, a 0.2 dip

    evaluation = evaluate_one(store, options())

    assert evaluation.outcome == "clear"
    assert evaluation.match is None


def test_a_rise_is_clear():
    store = InMemoryRatingStore()
    store.add("cafe", NOW - 20 * DAY, *[3] * 6)
    store.add("cafe", NOW - 2 * DAY, *[5] * 6)

    assert evaluate_one(store, options()).outcome == "clear"


def test_drop_exactly_min_drop_fires_despite_float_rounding():
    # 4.0 - 3.7 is 0.2999999999999998 in floating point; the rule must still see 0.3.
    baseline = RatingStats("cafe", 10, 4.0)
    recent = RatingStats("cafe", 10, 3.7)
    windows = rating_drop_windows(NOW, 7, 30)

    evaluation = compare_windows(options(min_drop=0.3), "cafe", baseline, recent, windows, NOW)

    assert evaluation.outcome == "match"
    assert evaluation.match.drop == pytest.approx(0.3)


def test_window_boundaries_are_half_open_and_adjacent():
    store = InMemoryRatingStore()
    recent_start = NOW - 7 * DAY
    baseline_start = NOW - 37 * DAY
    store.add("cafe", recent_start, *[2] * 5)  # exactly at the boundary: recent, not baseline
    store.add("cafe", recent_start - timedelta(microseconds=1), *[5] * 5)  # last instant of baseline
    store.add("cafe", baseline_start, 5)  # first instant of baseline: counted
    store.add("cafe", baseline_start - timedelta(microseconds=1), *[1] * 50)  # before baseline: ignored
    store.add("cafe", NOW, *[1] * 50)  # the window ends before now: ignored

    evaluation = evaluate_one(store, options())

    assert evaluation.outcome == "match"
    assert (evaluation.match.recent_count, evaluation.match.new_average) == (5, 2.0)
    assert (evaluation.match.baseline_count, evaluation.match.old_average) == (6, 5.0)


def test_windows_follow_the_configured_lengths():
    baseline, recent = rating_drop_windows(NOW, recent_days=3, baseline_days=14)

    assert (recent.start, recent.end, recent.days) == (NOW - 3 * DAY, NOW, 3)
    assert (baseline.start, baseline.end, baseline.days) == (NOW - 17 * DAY, NOW - 3 * DAY, 14)


def test_one_rating_stats_call_per_window_for_all_entities():
    store = InMemoryRatingStore()
    for entity_id in ("cafe", "bistro", "brasserie"):
        store.add(entity_id, NOW - 20 * DAY, *[5] * 5)
        store.add(entity_id, NOW - 2 * DAY, *[3] * 5)

    evaluations = RatingDropRule(options()).evaluate(store, ["cafe", "bistro", "brasserie"], NOW)

    assert [e.entity_id for e in evaluations] == ["cafe", "bistro", "brasserie"]
    assert all(e.outcome == "match" for e in evaluations)
    assert len(store.stats_calls) == 2
    assert {call[0] for call in store.stats_calls} == {("cafe", "bistro", "brasserie")}
    assert {call[1:] for call in store.stats_calls} == {
        (NOW - 37 * DAY, NOW - 7 * DAY),
        (NOW - 7 * DAY, NOW),
    }


def test_entity_without_reviews_is_insufficient_and_no_entities_means_no_query():
    store = InMemoryRatingStore()

    assert evaluate_one(store, options(), "unknown-cafe").outcome == "insufficient"
    store.stats_calls.clear()
    assert RatingDropRule(options()).evaluate(store, [], NOW) == []
    assert store.stats_calls == []


def test_registry_resolves_rating_drop_and_names_known_types_for_unknown_ones():
    assert RULE_TYPES["rating_drop"] is RatingDropRule
    assert isinstance(build_rule(options()), RatingDropRule)

    class UnknownOptions:
        id = "mystery"
        type = "sentiment_wave"

    with pytest.raises(ConfigError, match="unknown type 'sentiment_wave'.*rating_drop"):
        build_rule(UnknownOptions())

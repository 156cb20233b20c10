"""``rating_drop`` thresholds beyond the basics (tests/workers/test_alert_rating_drop.py): percent, smoothing, overrides."""

from __future__ import annotations

import pytest

from alert_support import DAY, NOW, outcomes, reviews, rule
from search.backends.base import RatingStats
from workers.alerts.rules.options import RatingDropOptions
from workers.alerts.rules.rating_drop import compare_windows, rating_drop_windows

WINDOWS = rating_drop_windows(NOW, 7, 30)


def decide(old, new, recent_count=20, **options):
    settings = RatingDropOptions(id="drop", type="rating_drop", **options)
    return compare_windows(settings, "cafe", RatingStats("cafe", 40, old), RatingStats("cafe", recent_count, new), WINDOWS, NOW)


def test_percentage_threshold_alone_or_with_stars():
    assert decide(4.0, 3.7, min_drop_percent=7).outcome == "match"  # 7.5 %
    assert decide(4.0, 3.8, min_drop_percent=7).outcome == "clear"  # 5 %, and no star threshold applies
    assert decide(4.0, 3.7, min_drop=0.5, min_drop_percent=5).outcome == "clear"  # every threshold set must hold
    assert decide(4.0, 3.7).outcome == "match"  # neither set: 0.3 stars
    assert decide(4.0, 3.7).match.drop_percent == pytest.approx(7.5)


def test_smoothing_pulls_small_recent_samples_towards_the_baseline():
    # Five 2-star reviews against 4.0: raw drop 2.0; with 20 imaginary reviews at 4.0 the drop is 0.4.
    smoothed = decide(4.0, 2.0, recent_count=5, min_drop=0.5, smoothing_weight=20)
    assert smoothed.outcome == "clear" and "smaller than a drop of min_drop=0.5" in smoothed.reason
    fired = decide(4.0, 2.0, recent_count=60, min_drop=0.5, smoothing_weight=20)
    assert fired.outcome == "match" and fired.match.smoothed_average == pytest.approx(2.5)
    assert fired.match.new_average == 2.0  # the email shows the real average
    prior = decide(4.0, 3.0, recent_count=10, smoothing_weight=10, smoothing_mean=3.5, min_drop=0.2)
    assert prior.outcome == "match"


def test_group_and_entity_overrides_apply_most_specific_last(alert_env):
    options = {"id": "drop", "type": "rating_drop", "min_drop": 1.5,
               "overrides": [{"entities": ["cafe-lumiere"], "min_drop": 0.3}, {"groups": ["old-town"], "min_drop": 1.0}]}
    settings, store = alert_env()
    for entity in ("cafe-lumiere", "bistro-soleil", "the-kettle"):
        store.upsert_reviews(reviews(entity, [5] * 8, NOW - 20 * DAY) + reviews(entity, [4] * 6, NOW - 2 * DAY))

    drop = rule(settings, **options)

    assert drop.options_for("cafe-lumiere").min_drop == 0.3  # entity beats its group
    assert drop.options_for("bistro-soleil").min_drop == 1.0  # the group's value
    assert drop.options_for("the-kettle").min_drop == 1.5  # the rule's own
    assert outcomes(drop, store, ["cafe-lumiere", "bistro-soleil", "the-kettle"]) == {
        "cafe-lumiere": "match", "bistro-soleil": "match", "the-kettle": "clear"}

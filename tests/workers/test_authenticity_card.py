"""Weights, the adjusted rating with its interval, and the overall grade (pure logic)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from search.authenticity_records import AdjustedRating, CardTest
from tests.workers.authenticity_support import START, review
from workers.authenticity import flags as F
from workers.authenticity.flags import Signal
from workers.authenticity.report_card import overall_grade
from workers.authenticity.review_signals import AssessedReview
from workers.authenticity.weighting import adjusted_rating, apply_weights, review_weight


def assessed(rating, *flags, key="r"):
    item = AssessedReview(review("cafe", key, "Some text.", rating, START + timedelta(days=1)))
    item.signals = [Signal(flag, "because") for flag in flags]
    return item


def test_weight_is_the_product_of_the_factors_and_a_campaign_member_counts_zero():
    assert review_weight(assessed(5, F.HIGH_VOLUME_DAY, F.SHORT_GENERIC_PRAISE)) == pytest.approx(0.6 * 0.85)
    assert review_weight(assessed(5, F.CROSS_LISTED)) == 1.0
    assert review_weight(assessed(5, F.HIGH_VOLUME_DAY, "campaign:c_1")) == 0.0
    gated = assessed(5, F.GATED_STREAM)
    gated.signals.append(Signal("campaign:c_2", "gated", weight_factor=1.0))
    assert review_weight(gated) == F.FACTORS[F.GATED_STREAM]


def test_adjusted_rating_drops_suspicious_praise_and_gives_an_interval():
    items = [assessed(3 + i % 2, key=f"o{i}") for i in range(30)] + \
            [assessed(5, "campaign:c_1", key=f"c{i}") for i in range(10)]
    apply_weights(items)
    rating = adjusted_rating(items)
    assert rating.average == pytest.approx(3.5) and rating.effective_reviews == 30
    assert rating.low < 3.5 < rating.high and rating.enough_to_judge and rating.note == ""


def test_adjusted_rating_with_nothing_left_says_so():
    items = [assessed(5, "campaign:c_1", key=f"c{i}") for i in range(5)]
    apply_weights(items)
    rating = adjusted_rating(items)
    assert rating.average is None and "nothing left to judge" in rating.note


@pytest.mark.parametrize("average, adjusted, tests, grade", [
    (4.5, 3.8, [], "fail"),
    (3.0, 3.6, [], "fail"),  # suspicious low ratings (an attack) distort the rating too
    (4.5, 4.2, [], "warn"),
    (4.5, 4.45, [CardTest(name="Rating Trend", status="fail", summary="x")], "warn"),
    (4.5, 4.45, [CardTest(name="Campaigns", status="fail", summary="x", figures={"share": 0.25})], "fail"),
    (4.5, 4.45, [CardTest(name="Campaigns", status="warn", summary="1 campaign", figures={"share": 0.05})], "warn"),
    (4.5, 4.45, [CardTest(name="Rating Trend", status="warn", summary="x")], "pass"),
])
def test_overall_grade(average, adjusted, tests, grade):
    found, reason = overall_grade(average, AdjustedRating(average=adjusted), tests)
    assert found == grade and reason

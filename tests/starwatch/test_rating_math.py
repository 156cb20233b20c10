"""Rating arithmetic of comparisons: exact cases worked out by hand."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from search.figures import SeriesPoint
from starwatch.capabilities.rating_math import (
    bayesian_average, displayed_rating, fill_series, flip_forecast, shares,
)

UTC = timezone.utc


def test_bayesian_average_pulls_small_samples_toward_the_prior():
    assert bayesian_average(5.0, 2) == pytest.approx((7 * 3.5 + 10) / 9)
    assert bayesian_average(4.8, 400) == pytest.approx((24.5 + 1920) / 407)
    assert bayesian_average(5.0, 2) < bayesian_average(4.8, 400)
    assert bayesian_average(None, 0) is None
    assert bayesian_average(4.0, 3, prior_count=0) == 4.0


@pytest.mark.parametrize(("average", "step", "shown"), [
    (4.25, 0.5, 4.5), (4.2499, 0.5, 4.0), (4.74, 0.5, 4.5), (4.75, 0.5, 5.0), (1.0, 0.5, 1.0), (4.35, 0.1, 4.4),
])
def test_displayed_rating_rounds_half_up_to_the_step(average, step, shown):
    assert displayed_rating(average, step) == pytest.approx(shown)


def test_flip_forecast_counts_whole_reviews():
    # 4.4 over 100 shows 4.5; below 4.25 needs (440 + n) / (100 + n) < 4.25, so n > 4.69 -> 5
    forecast = flip_forecast(4.4, 100)
    assert (forecast.displayed, forecast.ones_to_drop) == (4.5, 5)
    # rising to 5.0 needs >= 4.75: (440 + 5n) / (100 + n) >= 4.75, so n >= 140
    assert forecast.fives_to_rise == 140


def test_flip_forecast_at_the_ends_of_the_scale():
    top = flip_forecast(5.0, 10)
    assert (top.displayed, top.fives_to_rise, top.ones_to_drop) == (5.0, None, 1)  # 50/11 = 4.55 shows 4.5
    bottom = flip_forecast(1.0, 10)
    assert (bottom.ones_to_drop, bottom.fives_to_rise) == (None, 1)  # 15/11 = 1.36 shows 1.5
    assert flip_forecast(None, 0) is None and flip_forecast(4.0, 0) is None


def test_flip_forecast_exactly_on_a_boundary():
    forecast = flip_forecast(4.25, 4)  # shows 4.5; one more 1* gives 18/5 = 3.6, shown 3.5
    assert (forecast.displayed, forecast.ones_to_drop, forecast.fives_to_rise) == (4.5, 1, 8)  # 0.25 n >= 2


def test_fill_series_lists_every_bucket():
    points = [SeriesPoint(datetime(2024, 5, 6, tzinfo=UTC), 2, 2.5)]
    filled = fill_series(points, datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 5, 15, tzinfo=UTC), "week")
    assert [(p.start.day, p.count) for p in filled] == [(29, 0), (6, 2), (13, 0)]


def test_share_of_voice():
    assert shares({"a": 1, "b": 3}) == {"a": 0.25, "b": 0.75}
    assert shares({"a": 0, "b": 0}) == {"a": None, "b": None}

"""The arithmetic of star ratings a comparison shows: smoothing, display rounding, flip forecasts.

Pure functions, no I/O, tested with exact cases in ``tests/starwatch/test_rating_math.py``.

- ``bayesian_average``: a small sample says little, so the average is pulled toward a prior as
  if ``prior_count`` extra reviews of ``prior_mean`` stars existed (Trustpilot documents 7
  reviews at 3.5★). Two businesses with 5.0★ from 2 reviews and 4.8★ from 400 then rank the
  way a reader would rank them.
- ``displayed_rating``: platforms show the average rounded to a step, half stars by default,
  rounding halves up (4.25 shows as 4.5).
- ``flip_forecast``: how many more 1★ reviews take the displayed rating down one step, and how
  many 5★ reviews take it up one step, from an average and a count. The next review is an
  integer, so the answer is the smallest whole number that crosses the rounding boundary.

Reads no settings; callers pass ``settings.compare`` values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from search.figures import Interval, SeriesPoint, bucket_starts

EPSILON = 1e-9  # averages come from float sums; keep 4.25 at 4.25 when deciding how it rounds


@dataclass(frozen=True)
class FlipForecast:
    """From ``average`` over ``count`` ratings, displayed as ``displayed`` (rounded to ``step``)."""

    average: float
    count: int
    displayed: float
    step: float
    ones_to_drop: int | None  # 1★ reviews until the display drops one step (None: it cannot)
    fives_to_rise: int | None  # 5★ reviews until the display rises one step (None: it cannot)
    basis: str = "collected reviews"  # or "platform snapshot"


def bayesian_average(average: float | None, count: int, prior_count: float = 7, prior_mean: float = 3.5) -> float | None:
    """Average pulled toward ``prior_mean`` as if ``prior_count`` extra reviews had that rating."""
    if count <= 0 or average is None:
        return None
    return (prior_count * prior_mean + count * average) / (prior_count + count)


def displayed_rating(average: float, step: float = 0.5) -> float:
    """``average`` rounded half up to a multiple of ``step`` (4.25 -> 4.5, 4.24 -> 4.0)."""
    return math.floor(average / step + 0.5 + EPSILON) * step


def flip_forecast(average: float | None, count: int | None, step: float = 0.5,
                  basis: str = "collected reviews") -> FlipForecast | None:
    """How many 1★ / 5★ reviews move the displayed rating one ``step``; None without ratings."""
    if average is None or not count or count <= 0:
        return None
    displayed = displayed_rating(average, step)
    total = average * count
    drop = _reviews_until(total, count, lambda n: displayed_rating((total + n) / (count + n), step) < displayed - EPSILON,
                          value=1.0, boundary=displayed - step / 2)
    rise = _reviews_until(total, count, lambda n: displayed_rating((total + 5 * n) / (count + n), step) > displayed + EPSILON,
                          value=5.0, boundary=displayed + step / 2)
    return FlipForecast(average, count, displayed, step, drop, rise, basis)


def _reviews_until(total: float, count: int, crossed, value: float, boundary: float) -> int | None:
    """Smallest n >= 1 with ``crossed(n)``: solved in closed form, then checked around the answer."""
    if value == 1.0 and boundary <= 1.0 + EPSILON or value == 5.0 and boundary > 5.0 + EPSILON:
        return None  # 1★ reviews never pull an average below 1, nor 5★ ones above 5
    estimate = (total - boundary * count) / (boundary - value)
    guess = max(1, math.floor(estimate) if value == 1.0 else math.ceil(estimate))
    while guess > 1 and crossed(guess - 1):
        guess -= 1
    while not crossed(guess):
        guess += 1
    return guess


def fill_series(points: Sequence[SeriesPoint], since: datetime, until: datetime, interval: Interval) -> list[SeriesPoint]:
    """Every bucket of the window, in order, with count 0 and no average where nothing was published."""
    by_start = {point.start: point for point in points}
    return [by_start.get(start, SeriesPoint(start, 0, None)) for start in bucket_starts(since, until, interval)]


def shares(counts: dict[str, int]) -> dict[str, float | None]:
    """Each key's share of the total (share of voice); None for everyone when the total is 0."""
    total = sum(counts.values())
    return {key: (count / total if total else None) for key, count in counts.items()}

"""When reviews arrive and what ratings they bring: high-volume days and gated streams.

High-volume days (ReviewMeta's "Rating Trend" test): reviews of one entity are taken to arrive
at random (a Poisson process) at the entity's usual rate around that day — the reviews of the
``WINDOW_DAYS`` before and after it, the day itself left out, so a slow business and a busy
one are each judged against themselves and a rate that changes over the years is followed. A
day is a high-volume day when at least ``MIN_DAY_COUNT`` reviews came and so many arrivals were
less likely than ``ALPHA`` (99.9 % test). Why a minimum: two reviews on one day of a quiet
business are improbable on paper and ordinary in life.

Lopsided days: a high-volume day whose reviews are improbably all 5★ (or all 1★) given the
entity's other days (binomial test) — what a burst of praise, or an attack, looks like even when
every text is worded differently.

Gated streams: a business that only invites happy customers loses its low ratings, not its
volume. A window (of each length in ``GATED_WINDOW_DAYS``) is "gated" when it holds at least
``MIN_GATED_REVIEWS`` rated reviews and so few of them are 3★ or lower that the entity's own
share of those ratings outside the window (or the comparison set's, when the entity's history is
short) makes it less likely than ``ALPHA`` (binomial test). Overlapping gated windows merge.

Pure functions of dates and ratings (scipy for the distributions). Reads no settings.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Sequence

from scipy.stats import binom, poisson

ALPHA = 0.001
WINDOW_DAYS = 90
MIN_DAY_COUNT = 3
MIN_RATE_PER_DAY = 1 / 60  # a first or lonely burst is judged against "a review every two months"
GATED_WINDOW_DAYS = (90, 180)  # a slow business needs the longer window to have enough ratings
GATED_STEP_DAYS = 15
MIN_GATED_REVIEWS = 15
MIN_OWN_HISTORY = 30
LOW_RATING = 3.0


@dataclass(frozen=True)
class HighVolumeDay:
    day: date
    count: int
    usual_per_day: float
    p_value: float


@dataclass(frozen=True)
class GatedWindow:
    start: date
    end: date  # inclusive
    rated: int
    low: int
    expected_low_share: float
    p_value: float
    baseline: str  # "own history" or "comparison set"


def high_volume_days(days: Sequence[date], alpha: float = ALPHA) -> dict[date, HighVolumeDay]:
    """The high-volume days among the publication days of one entity's reviews."""
    counts = Counter(days)
    if not counts:
        return {}
    ordered = sorted(counts)
    cumulative = [0]
    for day in ordered:
        cumulative.append(cumulative[-1] + counts[day])
    first, last = ordered[0], ordered[-1]
    found = {}
    for index, day in enumerate(ordered):
        count = counts[day]
        if count < MIN_DAY_COUNT:
            continue
        low, high = max(first, day - timedelta(days=WINDOW_DAYS)), min(last, day + timedelta(days=WINDOW_DAYS))
        around = cumulative[bisect_right(ordered, high)] - cumulative[bisect_left(ordered, low)] - count
        span_days = (high - low).days  # days of the window other than this one
        rate = max(around / span_days if span_days else 0.0, MIN_RATE_PER_DAY)
        p_value = float(poisson.sf(count - 1, rate))
        if p_value < alpha:
            found[day] = HighVolumeDay(day, count, round(rate, 4), p_value)
    return found


def lopsided_days(rated: Sequence[tuple[date, int]], days: Sequence[date], alpha: float = ALPHA) -> dict[date, int]:
    """Among ``days`` (high-volume days), those whose stars are improbably one-sided: day -> 5 or 1.

    The count of 5★ (or 1★) reviews of the day is tested against the entity's share of that star
    on its other days (binomial, with one pseudo-review on each side so a share is never 0 or 1).
    A burst of praise from accounts that share nothing else still stands out this way.
    """
    found: dict[date, int] = {}
    for day in days:
        today = [star for d, star in rated if d == day]
        others = [star for d, star in rated if d != day]
        for star in (5, 1):
            count = sum(1 for s in today if s == star)
            share = (sum(1 for s in others if s == star) + 1) / (len(others) + 2)
            if count and float(binom.sf(count - 1, len(today), share)) < alpha:
                found[day] = star
    return found


def gated_windows(rated: Sequence[tuple[date, float]], comparison_low_share: float | None,
                  alpha: float = ALPHA) -> list[GatedWindow]:
    """Windows whose low ratings are improbably few, merged when they overlap; oldest first."""
    rated = sorted(rated)
    if len(rated) < MIN_GATED_REVIEWS:
        return []
    days = [day for day, _ in rated]
    flagged: list[GatedWindow] = []
    for length in GATED_WINDOW_DAYS:  # shortest first: a longer window only where no shorter one was flagged
        shorter = list(flagged)
        start = days[0]
        while start <= days[-1]:
            end = start + timedelta(days=length - 1)
            window = _test_window(rated, days, start, end, comparison_low_share, alpha)
            if window is not None and not any(w.start <= window.end and window.start <= w.end for w in shorter):
                flagged.append(window)
            start += timedelta(days=GATED_STEP_DAYS)
    return _merge(sorted(flagged, key=lambda w: (w.start, w.end)), rated, days)


def _test_window(rated, days, start: date, end: date, comparison_low_share: float | None,
                 alpha: float) -> GatedWindow | None:
    lo, hi = bisect_left(days, start), bisect_right(days, end)
    inside = [rating for _, rating in rated[lo:hi]]
    if len(inside) < MIN_GATED_REVIEWS:
        return None
    outside = [rating for _, rating in rated[:lo] + rated[hi:]]
    if len(outside) >= MIN_OWN_HISTORY:
        share, baseline = sum(r <= LOW_RATING for r in outside) / len(outside), "own history"
    elif comparison_low_share is not None:
        share, baseline = comparison_low_share, "comparison set"
    else:
        return None
    low = sum(r <= LOW_RATING for r in inside)
    p_value = float(binom.cdf(low, len(inside), share)) if share > 0 else 1.0
    if p_value >= alpha:
        return None
    first, last = days[lo], days[hi - 1]
    return GatedWindow(first, last, len(inside), low, round(share, 4), p_value, baseline)


def _merge(windows: list[GatedWindow], rated, days) -> list[GatedWindow]:
    merged: list[GatedWindow] = []
    for window in windows:
        if merged and window.start <= merged[-1].end:
            previous = merged.pop()
            lo, hi = bisect_left(days, previous.start), bisect_right(days, window.end)
            inside = [rating for _, rating in rated[lo:hi]]
            low = sum(r <= LOW_RATING for r in inside)
            share = min(previous.expected_low_share, window.expected_low_share)
            p_value = float(binom.cdf(low, len(inside), share)) if share > 0 else 1.0
            window = GatedWindow(previous.start, max(previous.end, window.end), len(inside), low, share,
                                 min(p_value, previous.p_value, window.p_value), previous.baseline)
        merged.append(window)
    return merged

"""Each review's weight, and the adjusted rating: suspicious reviews down-weighted, with a 95 % interval.

A review's weight is the product of its signals' factors (``flags.FACTORS``; a campaign member
counts 0), as ReviewMeta's adjusted rating drops or discounts reviews that fail its tests. The
adjusted rating is the weighted mean of the ratings. Its interval is a Student-t interval
on the weighted ratings with Kish's effective sample size ``(Σw)² / Σw²``, so a rating resting
on a few heavily weighted reviews gets a wide interval. With fewer than
``MIN_EFFECTIVE_REVIEWS`` reviews' worth of weight left, the card says there are too few to judge.
Reads no settings.
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

from scipy.stats import t as student_t

from search.authenticity_records import AdjustedRating
from workers.authenticity.review_signals import AssessedReview

MIN_EFFECTIVE_REVIEWS = 10.0


def review_weight(item: AssessedReview) -> float:
    weight = 1.0
    for signal in item.signals:
        weight *= signal.factor
    return round(max(0.0, min(1.0, weight)), 4)


def apply_weights(items: Iterable[AssessedReview]) -> None:
    for item in items:
        item.weight = review_weight(item)


def adjusted_rating(items: Sequence[AssessedReview]) -> AdjustedRating:
    """Weighted mean of the rated reviews' ratings, its 95 % interval and whether it can be trusted."""
    pairs = [(item.review.rating, item.weight) for item in items if item.review.rating is not None]
    total = sum(weight for _, weight in pairs)
    if total <= 0:
        return AdjustedRating(note="no rated review keeps any weight after the checks: nothing left to judge")
    average = sum(rating * weight for rating, weight in pairs) / total
    effective = total * total / sum(weight * weight for _, weight in pairs)
    low = high = None
    if effective > 1.0:
        variance = sum(weight * (rating - average) ** 2 for rating, weight in pairs) / total
        variance *= effective / (effective - 1.0)
        half = float(student_t.ppf(0.975, effective - 1.0)) * math.sqrt(variance / effective)
        low, high = max(0.0, average - half), min(5.0, average + half)
    enough = total >= MIN_EFFECTIVE_REVIEWS
    note = "" if enough else (f"only {total:.1f} reviews' worth of weight remain after down-weighting suspicious ones: "
                              f"too few to judge (at least {MIN_EFFECTIVE_REVIEWS:g} needed)")
    return AdjustedRating(average=round(average, 2), low=_round(low), high=_round(high),
                          effective_reviews=round(total, 1), enough_to_judge=enough, note=note)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)

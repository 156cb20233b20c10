"""Report-card tests on the review stream itself: timing, wording, length, ratings, campaigns.

Each function returns one ``CardTest`` (pass / warn / fail with its numbers, or not run and
why). Names follow ReviewMeta's report card where it has the test ("Rating Trend", "Phrase
Repetition", "Word Count Comparison"). Thresholds are module constants so that a reader can see
what "warn" means. Reads no settings.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Sequence

from scipy.stats import binomtest, chisquare

from search.authenticity_records import Campaign, CardTest
from workers.authenticity import flags as F
from workers.authenticity.arrivals import HighVolumeDay
from workers.authenticity.card_support import (
    MIN_COMPARISON_REVIEWS, WORD_BUCKETS, Comparison, gap_words, group, not_run, share_verdict, star_of,
    word_bucket,
)
from workers.authenticity.review_signals import AssessedReview
from workers.authenticity.wording import words_of

MIN_DATED = 10
MIN_REVIEWS = 10
MIN_WORD_COUNT_REVIEWS = 20
ALPHA = 0.001
RESIDUAL_CUT = 3.29  # a bucket over-represented at the 99.9 % level
DUPLICATE_FLAGS = (F.NEAR_DUPLICATE, F.DUPLICATE_ACROSS_ENTITIES)


def rating_trend(items: Sequence[AssessedReview], high_volume: dict[date, HighVolumeDay]) -> CardTest:
    name = "Rating Trend"
    dated = [i for i in items if i.review.published_at is not None]
    if len(dated) < MIN_DATED:
        why = "no review has a publication date (the source gives none)" if not dated else \
            f"needs at least {MIN_DATED} dated reviews, found {len(dated)}"
        return not_run(name, why)
    on_days = group(dated, lambda i: i.has(F.HIGH_VOLUME_DAY))
    own_days = {i.review.published_at.date() for i in dated if i.has(F.HIGH_VOLUME_DAY)}
    top = sorted((d for d in high_volume.values() if d.day in own_days), key=lambda d: (-d.count, d.day))[:5]
    status = "pass" if on_days.share < 0.05 else share_verdict(on_days, 0.05, 0.15)
    summary = (f"{len(own_days)} high-volume day(s) holding {on_days.count} of {len(dated)} dated reviews "
               f"({on_days.share:.0%}){gap_words(on_days)}" if own_days else
               f"no high-volume day among {len(dated)} dated reviews")
    months = Counter(i.review.published_at.strftime("%Y-%m") for i in dated)
    return CardTest(name=name, status=status, summary=summary, figures={
        **on_days.figures(), "high_volume_days": len(own_days),
        "top_days": [{"day": d.day.isoformat(), "count": d.count, "usual_per_day": d.usual_per_day} for d in top],
        "reviews_per_month": dict(sorted(months.items())[-12:]),
    })


def phrase_repetition(items: Sequence[AssessedReview]) -> CardTest:
    name = "Phrase Repetition"
    if len(items) < MIN_REVIEWS:
        return not_run(name, f"needs at least {MIN_REVIEWS} reviews, found {len(items)}")
    duplicated = group(items, lambda i: i.has(*DUPLICATE_FLAGS))
    cross_listed = sum(1 for i in items if i.has(F.CROSS_LISTED))
    status = "fail" if duplicated.share >= 0.10 else "warn" if duplicated.share >= 0.03 else "pass"
    summary = (f"{duplicated.count} review(s) ({duplicated.share:.0%}) nearly repeat another author's text"
               f"{gap_words(duplicated)}" if duplicated.count else "no review repeats another author's text")
    if cross_listed:
        summary += f"; {cross_listed} shown on sibling listings by their own author (not counted against it)"
    return CardTest(name=name, status=status, summary=summary,
                    figures={**duplicated.figures(), "cross_listed": cross_listed,
                             "same_author_repeats": sum(1 for i in items if i.has(F.SAME_AUTHOR_REPEAT))})


def word_count_comparison(items: Sequence[AssessedReview], comparison: Comparison) -> CardTest:
    name = "Word Count Comparison"
    if len(items) < MIN_WORD_COUNT_REVIEWS:
        return not_run(name, f"needs at least {MIN_WORD_COUNT_REVIEWS} reviews, found {len(items)}")
    if not comparison.usable:
        return not_run(name, f"no comparison set: needs at least {MIN_COMPARISON_REVIEWS} reviews of other "
                             f"watched entities, found {comparison.reviews}")
    buckets = [bucket for bucket, _, _ in WORD_BUCKETS]
    observed = Counter(word_bucket(len(words_of(i.review.text)) or 1) for i in items)
    expected_total = sum(comparison.word_buckets.values())
    expected_share = {b: (comparison.word_buckets[b] + 0.5) / (expected_total + 0.5 * len(buckets)) for b in buckets}
    expected = [expected_share[b] * len(items) for b in buckets]
    scale = len(items) / sum(expected)
    p_value = float(chisquare([observed[b] for b in buckets], [e * scale for e in expected]).pvalue)
    over = [b for b, e in zip(buckets, expected) if (observed[b] - e * scale) / (e * scale) ** 0.5 > RESIDUAL_CUT]
    in_over = group(items, lambda i: word_bucket(len(words_of(i.review.text)) or 1) in over)
    status = "pass" if p_value >= ALPHA or not over else ("fail" if in_over.gap >= 0.5 else "warn")
    summary = (f"word counts follow the comparison set (p = {p_value:.3f})" if status == "pass" else
               f"over-represented lengths {', '.join(over)} words ({in_over.share:.0%} of reviews){gap_words(in_over)}")
    return CardTest(name=name, status=status, summary=summary, figures={
        "distribution": {b: observed[b] for b in buckets},
        "expected_share": {b: round(expected_share[b], 3) for b in buckets},
        "p_value": p_value, "over_represented": over, **{f"over_{k}": v for k, v in in_over.figures().items()},
    })


def rating_distribution(items: Sequence[AssessedReview], comparison: Comparison,
                        campaigns: Sequence[Campaign]) -> CardTest:
    name = "Rating Distribution"
    rated = [i for i in items if i.review.rating is not None]
    if len(rated) < MIN_REVIEWS:
        return not_run(name, f"needs at least {MIN_REVIEWS} rated reviews, found {len(rated)}")
    stars = Counter(star_of(i.review.rating) for i in rated)
    shares = {s: stars[s] / len(rated) for s in range(1, 6)}
    gated = [c for c in campaigns if "gated_stream" in c.kinds]
    gated_members = {r for c in gated for r in c.review_ids}
    gated_share = sum(1 for i in rated if i.review.review_id in gated_members) / len(rated)
    five_expected = comparison.share_of_stars(lambda s: s == 5) if comparison.usable else None
    five_p = float(binomtest(stars[5], len(rated), five_expected, alternative="greater").pvalue) \
        if five_expected else None
    excess_five = five_p is not None and five_p < ALPHA and shares[5] - five_expected >= 0.15
    status = "fail" if gated_share >= 0.25 else "warn" if gated or excess_five else "pass"
    parts = [f"{_shape(shares)}: " + ", ".join(f"{s}★ {shares[s]:.0%}" for s in range(5, 0, -1))]
    if five_expected is not None:
        parts.append(f"5★ {shares[5]:.0%} against {five_expected:.0%} for the comparison set")
    if gated:
        parts.append(f"{len(gated)} stretch(es) with the low ratings missing, holding {gated_share:.0%} of ratings")
    return CardTest(name=name, status=status, summary="; ".join(parts), figures={
        "stars": {str(s): stars[s] for s in range(1, 6)}, "five_star_expected": five_expected,
        "five_star_p_value": five_p, "gated_stretches": len(gated), "gated_share": round(gated_share, 3),
    })


def _shape(shares: dict[int, float]) -> str:
    extremes, middle = shares[1] + shares[5], shares[2] + shares[3] + shares[4]
    if shares[1] >= 0.2 and shares[5] >= 0.2 and middle < extremes / 2:
        return "polarised (J- or U-shaped)"
    if shares[5] + shares[4] >= 0.8:
        return "strongly positive"
    if shares[1] + shares[2] >= 0.5:
        return "mostly negative"
    return "spread out"


def campaigns_test(items: Sequence[AssessedReview], campaigns: Sequence[Campaign]) -> CardTest:
    name = "Campaigns"
    if len(items) < MIN_REVIEWS:
        return not_run(name, f"needs at least {MIN_REVIEWS} reviews, found {len(items)}")
    bursts = [c for c in campaigns if "gated_stream" not in c.kinds]
    members = {r for c in bursts for r in c.review_ids}
    inside = group(items, lambda i: i.review.review_id in members)
    status = "fail" if inside.share >= 0.10 else "warn" if bursts else "pass"
    summary = (f"{len(bursts)} suspected campaign(s) holding {inside.count} review(s) ({inside.share:.0%})"
               f"{gap_words(inside)}" if bursts else "no suspected campaign")
    return CardTest(name=name, status=status, summary=summary,
                    figures={**inside.figures(), "campaigns": [c.campaign_id for c in bursts]})

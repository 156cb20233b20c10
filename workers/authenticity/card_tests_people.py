"""Report-card tests on who wrote the reviews and what they admit: ReviewMeta's reviewer tests and more.

"Reviewer Participation", "Suspicious Reviewers", "Brand Repeats", "Incentivized Reviews" and
"Deleted Reviews" keep ReviewMeta's names; "Rating-Text Mismatch" and "Machine-Generated Text"
are starwatch's. Tests that need author ids, dates or deletion data say so when they are missing
instead of passing silently. Reads no settings.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import mean
from typing import Sequence

from scipy.stats import binomtest

from search.authenticity_records import CardTest
from workers.authenticity import flags as F
from workers.authenticity.card_support import Comparison, gap_words, group, not_run, share_verdict
from workers.authenticity.reviewers import PARTICIPATION_BUCKETS, AuthorHistory, participation_bucket
from workers.authenticity.review_signals import AssessedReview
from workers.authenticity.text_signals import MACHINE_THRESHOLD

MIN_AUTHORED = 10
MIN_REVIEWS = 10
MIN_JUDGED_TEXTS = 10
ALPHA = 0.001
MACHINE_FALSE_ALARM_RATE = 0.02  # measured on real reviews: 0.4 % (Yelp) to 1.9 % (Amazon) above the threshold


@dataclass(frozen=True)
class Deletions:
    """What the store knows about deleted reviews of an entity (or why it knows nothing)."""

    deleted_ratings: list[float | None] = field(default_factory=list)
    missing_reason: str | None = None


def _authored(items: Sequence[AssessedReview], name: str) -> tuple[list[AssessedReview], CardTest | None]:
    authored = [i for i in items if i.review.author_hash]
    if len(authored) < MIN_AUTHORED:
        why = "the sources give no author names" if not authored else \
            f"needs at least {MIN_AUTHORED} reviews with an author, found {len(authored)}"
        return authored, not_run(name, why)
    return authored, None


def reviewer_participation(items: Sequence[AssessedReview], histories: dict[str, AuthorHistory],
                           comparison: Comparison) -> CardTest:
    name = "Reviewer Participation"
    authored, skipped = _authored(items, name)
    if skipped:
        return skipped
    buckets = Counter(participation_bucket(histories[i.review.author_hash].review_count) for i in authored)
    one_hit = group(authored, lambda i: i.has(F.ONE_HIT_WONDER))
    figures = {"buckets": {b: buckets[b] for b, _, _ in PARTICIPATION_BUCKETS},
               **{f"one_hit_{k}": v for k, v in one_hit.figures().items()}}
    if not comparison.usable or not comparison.authored:
        status = "warn" if one_hit.share >= 0.5 and one_hit.gap >= 0.5 else "pass"
        return CardTest(name=name, status=status, figures=figures, summary=(
            f"{one_hit.share:.0%} of reviews come from authors with no other review{gap_words(one_hit)} "
            "(no comparison set with author names)"))
    expected = comparison.one_hit / comparison.authored
    p_value = float(binomtest(one_hit.count, len(authored), expected, alternative="greater").pvalue)
    over = p_value < ALPHA
    status = "fail" if over and one_hit.gap >= 0.5 else "warn" if over else "pass"
    figures.update({"one_hit_expected_share": round(expected, 3), "p_value": p_value})
    return CardTest(name=name, status=status, figures=figures, summary=(
        f"{one_hit.share:.0%} of reviews come from authors with no other review, against {expected:.0%} for the "
        f"comparison set{gap_words(one_hit)}"))


def suspicious_reviewers(items: Sequence[AssessedReview]) -> CardTest:
    name = "Suspicious Reviewers"
    authored, skipped = _authored(items, name)
    if skipped:
        return skipped
    single_day = group(authored, lambda i: i.has(F.SINGLE_DAY_REVIEWER))
    one_hit = sum(1 for i in authored if i.has(F.ONE_HIT_WONDER))
    status = share_verdict(single_day, 0.05, 0.15)
    return CardTest(name=name, status=status, figures={**single_day.figures(), "one_hit_wonders": one_hit},
                    summary=(f"{single_day.count} review(s) ({single_day.share:.0%}) by single-day reviewers "
                             f"(all their reviews on one day){gap_words(single_day)}; {one_hit} by one-hit wonders"))


def brand_repeats(items: Sequence[AssessedReview]) -> CardTest:
    name = "Brand Repeats"
    authored, skipped = _authored(items, name)
    if skipped:
        return skipped
    monogamists = group(authored, lambda i: i.has(F.BRAND_MONOGAMIST))
    return CardTest(name=name, status=share_verdict(monogamists, 0.05, 0.15), figures=monogamists.figures(),
                    summary=(f"{monogamists.count} review(s) ({monogamists.share:.0%}) by authors who reviewed only "
                             f"this business, several times{gap_words(monogamists)}"))


def incentivized_reviews(items: Sequence[AssessedReview]) -> CardTest:
    name = "Incentivized Reviews"
    if len(items) < MIN_REVIEWS:
        return not_run(name, f"needs at least {MIN_REVIEWS} reviews, found {len(items)}")
    paid = group(items, lambda i: i.has(F.INCENTIVIZED, F.SOLICITED))
    status = share_verdict(paid, 0.0001, 0.10) if paid.count else "pass"
    gating = sum(1 for i in items if "solicitation:review_gating" in i.review.flags)
    summary = (f"{paid.count} review(s) ({paid.share:.0%}) mention an incentive or a request for reviews"
               f"{gap_words(paid)}" if paid.count else "no review mentions an incentive or a request for reviews")
    if gating:
        summary += f"; {gating} customer(s) report review gating or removed reviews"
    return CardTest(name=name, status=status, summary=summary, figures={
        **paid.figures(), "incentivized": sum(1 for i in items if i.has(F.INCENTIVIZED)),
        "solicited": sum(1 for i in items if i.has(F.SOLICITED)), "gating_reports": gating})


def deleted_reviews(items: Sequence[AssessedReview], deletions: Deletions) -> CardTest:
    name = "Deleted Reviews"
    if deletions.missing_reason:
        return not_run(name, deletions.missing_reason)
    deleted = len(deletions.deleted_ratings)
    share = deleted / (deleted + len(items)) if deleted + len(items) else 0.0
    ratings = [r for r in deletions.deleted_ratings if r is not None]
    kept = [i.review.rating for i in items if i.review.rating is not None]
    deleted_average = mean(ratings) if ratings else None
    kept_average = mean(kept) if kept else None
    skew = deleted_average is not None and kept_average is not None and deleted_average <= kept_average - 1.0
    status = "fail" if share >= 0.15 or (share >= 0.05 and skew) else "warn" if share >= 0.05 or (deleted and skew) \
        else "pass"
    summary = f"{deleted} review(s) seen earlier have disappeared ({share:.0%} of all seen)"
    if deleted_average is not None and kept_average is not None:
        summary += f"; they averaged {deleted_average:.2f}★ against {kept_average:.2f}★ for the reviews still shown"
    return CardTest(name=name, status=status, summary=summary, figures={
        "deleted": deleted, "share": round(share, 3), "deleted_average": deleted_average,
        "shown_average": kept_average})


def rating_text_mismatch(items: Sequence[AssessedReview]) -> CardTest:
    name = "Rating-Text Mismatch"
    scored = [i for i in items if i.review.rating is not None and
              (i.review.sentiment_score is not None or getattr(i.review, "sentiment_stars", None) is not None)]
    if len(scored) < MIN_REVIEWS:
        return not_run(name, f"needs at least {MIN_REVIEWS} rated reviews with a sentiment score, found {len(scored)}")
    mismatched = group(scored, lambda i: i.has(F.RATING_TEXT_MISMATCH))
    status = "fail" if mismatched.share >= 0.15 else "warn" if mismatched.share >= 0.05 else "pass"
    return CardTest(name=name, status=status, figures=mismatched.figures(), summary=(
        f"{mismatched.count} review(s) ({mismatched.share:.0%}) whose stars contradict their text"))


def machine_generated(items: Sequence[AssessedReview]) -> CardTest:
    name = "Machine-Generated Text"
    judged = [i for i in items if i.machine_likelihood is not None]
    if len(judged) < MIN_JUDGED_TEXTS:
        return not_run(name, f"needs at least {MIN_JUDGED_TEXTS} English reviews of 8 words or more (the detector "
                             f"knows English only), found {len(judged)}")
    likely = group(judged, lambda i: i.machine_likelihood >= MACHINE_THRESHOLD)
    p_value = float(binomtest(likely.count, len(judged), MACHINE_FALSE_ALARM_RATE, alternative="greater").pvalue)
    status = "fail" if p_value < ALPHA and likely.share >= 0.10 else "warn" if p_value < ALPHA else "pass"
    return CardTest(name=name, status=status, figures={**likely.figures(), "p_value": p_value,
                                                       "expected_false_alarms": MACHINE_FALSE_ALARM_RATE}, summary=(
        f"{likely.count} of {len(judged)} English review(s) ({likely.share:.0%}) read as machine-generated, where "
        f"about {MACHINE_FALSE_ALARM_RATE:.0%} false alarms are expected{gap_words(likely)}"))


def unverified_purchases() -> CardTest:
    return not_run("Unverified Purchases", "the sources do not say which reviews come from verified purchases")

"""Assemble a ReviewMeta-style report card: every test, an overall grade and the adjusted rating.

The overall grade follows ReviewMeta's idea that what matters is how far the suspicious reviews
move the rating: it fails when the adjusted rating is ``FAIL_DROP`` stars or more below the
plain average, or when suspected campaigns hold ``FAIL_CAMPAIGN_SHARE`` of the reviews; it warns
on a smaller drop, on any failed test or on any campaign; otherwise it passes. An entity (or
source) with ``MAX_NOT_ENOUGH`` reviews or fewer gets "not enough data", never a grade.
Reads no settings.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from statistics import mean
from typing import Sequence

from search.authenticity_records import AdjustedRating, AuthenticityCard, Campaign, CardTest, make_card_id
from workers.authenticity import card_tests_people as people
from workers.authenticity import card_tests_stream as stream
from workers.authenticity.arrivals import HighVolumeDay
from workers.authenticity.card_support import Comparison
from workers.authenticity.flags import is_authenticity_flag
from workers.authenticity.review_signals import AssessedReview
from workers.authenticity.reviewers import AuthorHistory
from workers.authenticity.weighting import adjusted_rating

MAX_NOT_ENOUGH = 3
FAIL_DROP, WARN_DROP = 0.5, 0.2
FAIL_CAMPAIGN_SHARE = 0.20


def build_card(entity_id: str, source: str | None, items: Sequence[AssessedReview], *,
               high_volume: dict[date, HighVolumeDay], histories: dict[str, AuthorHistory],
               comparison: Comparison, campaigns: Sequence[Campaign], deletions: people.Deletions,
               now: datetime) -> AuthenticityCard:
    """The card of ``items`` (all reviews of the entity, or of one of its sources)."""
    ids = {i.review.review_id for i in items}
    own_campaigns = [c for c in campaigns if ids.intersection(c.review_ids)]
    ratings = [i.review.rating for i in items if i.review.rating is not None]
    card = AuthenticityCard(
        card_id=make_card_id(entity_id, source), entity_id=entity_id, source=source, computed_at=now,
        grade="not_enough_data", review_count=len(items), rated_count=len(ratings),
        average=round(mean(ratings), 2) if ratings else None,
        campaign_ids=[c.campaign_id for c in own_campaigns],
        flagged_reviews=dict(sorted(Counter(f for i in items for f in i.flags if is_authenticity_flag(f)).items())),
    )
    if len(items) <= MAX_NOT_ENOUGH:
        card.grade_reason = f"only {len(items)} review(s): not enough data to grade"
        card.adjusted = AdjustedRating(note=card.grade_reason)
        return card
    card.tests = [
        stream.rating_trend(items, high_volume), stream.phrase_repetition(items),
        stream.word_count_comparison(items, comparison),
        people.reviewer_participation(items, histories, comparison), people.suspicious_reviewers(items),
        people.brand_repeats(items), people.incentivized_reviews(items), people.deleted_reviews(items, deletions),
        stream.rating_distribution(items, comparison, own_campaigns), people.rating_text_mismatch(items),
        people.machine_generated(items), stream.campaigns_test(items, own_campaigns), people.unverified_purchases(),
    ]
    card.adjusted = adjusted_rating(items)
    card.grade, card.grade_reason = overall_grade(card.average, card.adjusted, card.tests)
    return card


def overall_grade(average: float | None, adjusted: AdjustedRating, tests: Sequence[CardTest]) -> tuple[str, str]:
    """(grade, why in plain words)."""
    campaigns = next((t for t in tests if t.name == "Campaigns"), None)
    campaign_share = (campaigns.figures.get("share") or 0.0) if campaigns else 0.0
    drop = (average - adjusted.average) if average is not None and adjusted.average is not None else 0.0
    failed = [t.name for t in tests if t.status == "fail"]
    warned = [t.name for t in tests if t.status == "warn"]
    # A drop means suspicious praise inflated the rating; a rise, that suspicious low ratings
    # (an attack, e.g. by a competitor) dragged it down: both distort what customers see.
    moved = f"the adjusted rating is {abs(drop):.2f}★ {'below' if drop > 0 else 'above'} the plain average"
    if abs(drop) >= FAIL_DROP:
        return "fail", moved
    if campaign_share >= FAIL_CAMPAIGN_SHARE:
        return "fail", f"suspected campaigns hold {campaign_share:.0%} of the reviews"
    if abs(drop) >= WARN_DROP:
        return "warn", moved
    if failed:
        return "warn", f"failed: {', '.join(failed)} (the adjusted rating moves by {drop:.2f}★ only)"
    if campaigns is not None and campaigns.status == "warn":
        return "warn", campaigns.summary
    suffix = f"; to watch: {', '.join(warned)}" if warned else ""
    return "pass", f"the suspicious reviews barely move the rating ({drop:+.2f}★){suffix}"

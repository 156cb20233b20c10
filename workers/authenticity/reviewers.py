"""Who wrote the reviews: each author's history across every entity the store holds.

Authors are known only by ``author_hash`` (a salted hash of the reviewer name; None when the
source gives no name), so these tests run only where sources give one. The history counts
*distinct* reviews: one review shown on several sibling listings (same author, same text) is
one opinion, so it neither makes its author a prolific reviewer nor a one-hit wonder times eight.

Per review (ReviewMeta's "Suspicious Reviewers" and "Brand Repeats" traits):

- one-hit wonder: the only review we hold from this author. Said with its limit: the store
  holds only the watched businesses, so most reviewers of a local café are one-hit wonders here;
  the report card compares the share with the other watched entities rather than judging it alone;
- single-day reviewer: two or more reviews, all posted on one day;
- brand monogamist: two or more reviews, all about this entity.

Reads no settings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from search.documents import Review
from workers.authenticity import flags as F
from workers.authenticity.duplicates import fold
from workers.authenticity.flags import Signal

PARTICIPATION_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1", 1, 1), ("2", 2, 2), ("3-5", 3, 5), ("6-10", 6, 10), ("11+", 11, None),
)


@dataclass
class AuthorHistory:
    """Distinct reviews of one author: their text keys, entities and publication days."""

    texts: set[str] = field(default_factory=set)
    entities: set[str] = field(default_factory=set)
    days: set[date] = field(default_factory=set)
    undated: bool = False

    @property
    def review_count(self) -> int:
        return len(self.texts)


def author_histories(reviews: Iterable[Review]) -> dict[str, AuthorHistory]:
    """Per author hash, what they wrote across all entities (reviews without an author are skipped)."""
    histories: dict[str, AuthorHistory] = defaultdict(AuthorHistory)
    for review in reviews:
        if review.author_hash is None:
            continue
        history = histories[review.author_hash]
        history.texts.add(fold(review.text or review.title or "") or review.review_id)
        history.entities.add(review.entity_id)
        if review.published_at is None:
            history.undated = True
        else:
            history.days.add(review.published_at.date())
    return dict(histories)


def reviewer_signals(review: Review, histories: dict[str, AuthorHistory], entities_watched: int) -> list[Signal]:
    """One-hit wonder, single-day reviewer and brand monogamist signals of one review."""
    history = histories.get(review.author_hash) if review.author_hash else None
    if history is None:
        return []
    count = history.review_count
    if count == 1:
        watched = "the one entity watched" if entities_watched == 1 else f"the {entities_watched} entities watched"
        return [Signal(F.ONE_HIT_WONDER, f"the only review we hold from this author across {watched}",
                       {"author_reviews": 1})]
    found = []
    if len(history.days) == 1 and not history.undated:
        (day,) = history.days
        found.append(Signal(F.SINGLE_DAY_REVIEWER,
                            f"this author's {count} reviews were all posted on {day.isoformat()}",
                            {"author_reviews": count, "day": day.isoformat()}))
    if history.entities == {review.entity_id}:
        found.append(Signal(F.BRAND_MONOGAMIST, f"this author wrote {count} reviews, all about this business",
                            {"author_reviews": count}))
    return found


def participation_bucket(count: int) -> str:
    """ReviewMeta-style bucket of an author's review count ("1", "2", "3-5", "6-10", "11+")."""
    for name, low, high in PARTICIPATION_BUCKETS:
        if count >= low and (high is None or count <= high):
            return name
    return PARTICIPATION_BUCKETS[0][0]

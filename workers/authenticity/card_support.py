"""What every report-card test shares: the comparison set, group comparisons, verdict wording.

The comparison set stands in for ReviewMeta's "category": the reviews of every *other* entity
in the store (competitors and siblings), from which a test takes the expected word-count
distribution, star distribution and reviewer participation. It is only used when it holds at
least ``MIN_COMPARISON_REVIEWS`` reviews; otherwise the test says it has nothing to compare with.
Reads no settings.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import mean
from typing import Callable, Iterable, Sequence

from search.authenticity_records import CardTest
from search.documents import Review
from workers.authenticity.review_signals import AssessedReview
from workers.authenticity.reviewers import AuthorHistory, participation_bucket
from workers.authenticity.wording import words_of

MIN_COMPARISON_REVIEWS = 100
WORD_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1-10", 1, 10), ("11-25", 11, 25), ("26-50", 26, 50), ("51-100", 51, 100), ("101-200", 101, 200),
    ("201+", 201, None),
)


def word_bucket(count: int) -> str:
    for name, low, high in WORD_BUCKETS:
        if low <= count and (high is None or count <= high):
            return name
    return WORD_BUCKETS[0][0]


def star_of(rating: float) -> int:
    """Half-up rounding to 1..5 stars, as the store buckets them."""
    return min(5, max(1, int(rating + 0.5)))


@dataclass
class Comparison:
    """Distributions of the comparison set (every other entity's reviews)."""

    reviews: int = 0
    word_buckets: Counter = field(default_factory=Counter)
    stars: Counter = field(default_factory=Counter)
    authored: int = 0
    one_hit: int = 0
    participation: Counter = field(default_factory=Counter)

    @property
    def usable(self) -> bool:
        return self.reviews >= MIN_COMPARISON_REVIEWS

    def minus(self, other: "Comparison") -> "Comparison":
        """This set without ``other`` (an entity's own reviews), so one pass serves every entity."""
        return Comparison(self.reviews - other.reviews, self.word_buckets - other.word_buckets,
                          self.stars - other.stars, self.authored - other.authored, self.one_hit - other.one_hit,
                          self.participation - other.participation)

    def share_of_stars(self, predicate: Callable[[int], bool]) -> float | None:
        total = sum(self.stars.values())
        return sum(n for star, n in self.stars.items() if predicate(star)) / total if total else None


def build_comparison(reviews: Iterable[Review], histories: dict[str, AuthorHistory]) -> Comparison:
    comparison = Comparison()
    for review in reviews:
        comparison.reviews += 1
        comparison.word_buckets[word_bucket(len(words_of(review.text)) or 1)] += 1
        if review.rating is not None:
            comparison.stars[star_of(review.rating)] += 1
        history = histories.get(review.author_hash) if review.author_hash else None
        if history is not None:
            comparison.authored += 1
            comparison.one_hit += history.review_count == 1
            comparison.participation[participation_bucket(history.review_count)] += 1
    return comparison


@dataclass(frozen=True)
class GroupFigures:
    """A group of reviews (e.g. those posted on high-volume days) against the others."""

    count: int
    share: float
    average: float | None
    others_average: float | None

    @property
    def gap(self) -> float:
        if self.average is None or self.others_average is None:
            return 0.0
        return self.average - self.others_average

    def figures(self) -> dict:
        return {"count": self.count, "share": round(self.share, 3), "average": _r(self.average),
                "others_average": _r(self.others_average)}


def group(items: Sequence[AssessedReview], member: Callable[[AssessedReview], bool]) -> GroupFigures:
    inside = [i for i in items if member(i)]
    outside = [i for i in items if not member(i)]
    return GroupFigures(len(inside), len(inside) / len(items) if items else 0.0, _mean_rating(inside),
                        _mean_rating(outside))


def _mean_rating(items: Sequence[AssessedReview]) -> float | None:
    ratings = [i.review.rating for i in items if i.review.rating is not None]
    return mean(ratings) if ratings else None


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def not_run(name: str, why: str, **figures) -> CardTest:
    return CardTest(name=name, status="not_run", summary=f"not run: {why}", figures=figures)


def gap_words(figures: GroupFigures) -> str:
    if figures.average is None or figures.others_average is None:
        return ""
    return f"; they average {figures.average:.2f}★ against {figures.others_average:.2f}★ for the others"


def share_verdict(figures: GroupFigures, warn_share: float, fail_share: float, min_gap: float = 0.5) -> str:
    """ReviewMeta's logic: a large suspicious group that also rates higher than the rest fails."""
    if figures.share >= fail_share and figures.gap >= min_gap:
        return "fail"
    if figures.share >= warn_share:
        return "warn"
    return "pass"

"""Every per-review signal of a set of reviews, each with its reason: the first half of an assessment.

Text-only signals come from ``text_signals``; the signals that need other reviews come from
``duplicates`` (near-duplicate texts in this entity and across entities), ``arrivals``
(high-volume days) and ``reviewers`` (author histories). ``find_signals`` takes the reviews to
assess (``targets``) and every review the store holds (``everyone``, for cross-entity
duplicates and author histories) and returns an ``AssessedReview`` per target plus the
evidence the report card and the campaign finder reuse. Reads no settings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Sequence

from search.documents import Review
from workers.authenticity import flags as F
from workers.authenticity.arrivals import HighVolumeDay, high_volume_days, lopsided_days
from workers.authenticity.duplicates import DuplicatePair, TextItem, find_duplicate_pairs
from workers.authenticity.flags import Signal
from workers.authenticity.reviewers import AuthorHistory, author_histories, reviewer_signals
from workers.authenticity.text_signals import review_text, text_signals_for_review

DUPLICATE_FLAGS = {"near_duplicate": F.NEAR_DUPLICATE, "duplicate_across_entities": F.DUPLICATE_ACROSS_ENTITIES,
                   "cross_listed": F.CROSS_LISTED, "same_author_repeat": F.SAME_AUTHOR_REPEAT}


@dataclass
class AssessedReview:
    """One review and what the checks found about it."""

    review: Review
    signals: list[Signal] = field(default_factory=list)
    machine_likelihood: float | None = None
    weight: float = 1.0

    @property
    def flags(self) -> list[str]:
        return sorted({signal.flag for signal in self.signals})

    def has(self, *flags: str) -> bool:
        return any(signal.flag in flags for signal in self.signals)


@dataclass
class Findings:
    """Per-review signals plus the evidence behind them, for the card and the campaign finder."""

    assessed: dict[str, AssessedReview]
    pairs: list[DuplicatePair]
    high_volume: dict[str, dict[date, HighVolumeDay]]
    histories: dict[str, AuthorHistory]
    entities_watched: int
    lopsided: dict[str, dict[date, int]] = field(default_factory=dict)  # entity -> high-volume day -> 5 or 1


def find_signals(targets: Sequence[Review], everyone: Sequence[Review]) -> Findings:
    """Signals of every review in ``targets``; ``everyone`` (a superset) gives the context."""
    assessed = {review.review_id: AssessedReview(review) for review in targets}
    entities_watched = len({review.entity_id for review in everyone}) or 1
    histories = author_histories(everyone)
    for item in assessed.values():
        review = item.review
        text_found, item.machine_likelihood = text_signals_for_review(review)
        item.signals.extend(text_found)
        item.signals.extend(reviewer_signals(review, histories, entities_watched))
    pairs = _target_pairs(assessed, everyone)
    _add_duplicate_signals(assessed, pairs, {r.review_id: r for r in everyone})
    high_volume, lopsided = _add_high_volume_signals(assessed)
    return Findings(assessed, pairs, high_volume, histories, entities_watched, lopsided)


def _target_pairs(assessed: dict[str, AssessedReview], everyone: Sequence[Review]) -> list[DuplicatePair]:
    items = [TextItem(r.review_id, r.entity_id, r.author_hash, review_text(r)) for r in everyone]
    return [pair for pair in find_duplicate_pairs(items) if pair.first in assessed or pair.second in assessed]


def _add_duplicate_signals(assessed: dict[str, AssessedReview], pairs: list[DuplicatePair],
                           by_id: dict[str, Review]) -> None:
    partners: dict[tuple[str, str], list[DuplicatePair]] = defaultdict(list)
    for pair in pairs:
        for own, other in ((pair.first, pair.second), (pair.second, pair.first)):
            if own in assessed:
                partners[(own, pair.kind)].append(pair)
    for (review_id, kind), found in partners.items():
        others = {p.second if p.first == review_id else p.first for p in found}
        top = max(p.similarity for p in found)
        entities = sorted({by_id[o].entity_id for o in others if o in by_id})
        assessed[review_id].signals.append(Signal(DUPLICATE_FLAGS[kind], _duplicate_reason(kind, len(others), top,
                                                                                           entities),
                                                  {"partners": sorted(others)[:20], "similarity": top,
                                                   "entities": entities[:20]}))


def _duplicate_reason(kind: str, count: int, top: float, entities: list[str]) -> str:
    share = f"{top:.0%} of its wording shared"
    if kind == "near_duplicate":
        return f"text nearly identical to {count} other review(s) of this business by other authors ({share})"
    if kind == "duplicate_across_entities":
        listed = ", ".join(entities[:3]) + ("…" if len(entities) > 3 else "")
        return f"text nearly identical to {count} review(s) of other businesses ({listed}) by other authors ({share})"
    if kind == "cross_listed":
        return (f"the same review by the same author also appears on {count} other listing(s); sibling listings "
                "often share reviews, so this is shown, not counted against it")
    return f"this author posted a nearly identical text here {count} other time(s) ({share}); counted at half weight"


def _add_high_volume_signals(assessed: dict[str, AssessedReview]):
    """High-volume days and lopsided days per entity, and the signal on each review posted on one."""
    days_by_entity: dict[str, list[date]] = defaultdict(list)
    stars_by_entity: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for item in assessed.values():
        if item.review.published_at is not None:
            day = item.review.published_at.date()
            days_by_entity[item.review.entity_id].append(day)
            if item.review.rating is not None:
                stars_by_entity[item.review.entity_id].append((day, min(5, max(1, int(item.review.rating + 0.5)))))
    found = {entity: high_volume_days(days) for entity, days in days_by_entity.items()}
    lopsided = {entity: lopsided_days(stars_by_entity[entity], list(found[entity])) for entity in found}
    for item in assessed.values():
        if item.review.published_at is None:
            continue
        day = found[item.review.entity_id].get(item.review.published_at.date())
        if day is not None:
            star = lopsided[item.review.entity_id].get(day.day)
            lopsided_words = f"; its reviews are improbably often {star}★" if star else ""
            item.signals.append(Signal(
                F.HIGH_VOLUME_DAY,
                f"posted on {day.day.isoformat()}, a day with {day.count} reviews of this business where about "
                f"{day.usual_per_day:.2g} a day are usual (chance under random arrivals: {describe_p(day.p_value)})"
                f"{lopsided_words}",
                {"day": day.day.isoformat(), "count": day.count, "usual_per_day": day.usual_per_day,
                 "p_value": day.p_value, "lopsided_star": star}))
    return found, lopsided


def describe_p(p_value: float) -> str:
    """A probability in words a customer-experience team reads without a statistics course."""
    if p_value < 1e-6:
        return "less than 1 in a million"
    if p_value < 1e-3:
        return f"about 1 in {round(1 / p_value):,}"
    return f"{p_value:.3f}"

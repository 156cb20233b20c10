"""Event rules: reviews that are worth an email by themselves.

- ``new_negative_review``: a review at or below ``max_rating`` stars;
- ``integrity_complaint``: a review the analysis flagged ``integrity:*`` (hygiene, safety...);
- ``authenticity_campaign``: reviews flagged ``campaign:*`` / ``authenticity:*``, for our own
  entities and, with ``notify_competitors``, told to the rest of the competitor group too.

They share one shape: one ``matching_reviews`` read per option set for all entities, reviews
published in the last ``max_age_hours`` only. That age limit is what keeps a first crawl of
three years of history, or an old review found late, from emailing anyone: older reviews are
history. The match carries the review ids, so an open incident emails again only for reviews it
has not reported yet (see ``lifecycle``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Sequence

from search.documents import Review
from workers.alerts import explain
from workers.alerts.rules.base import (
    Evaluation, Recipient, RuleMatch, RuleType, Window, clear, entity_index, matched,
)
from workers.alerts.rules.options import (
    AuthenticityCampaignOptions, IntegrityComplaintOptions, NewNegativeReviewOptions,
)

if TYPE_CHECKING:
    from config.settings import Settings
    from search.backends.base import ReviewStore

MAX_REVIEWS_READ = 5000
QUOTED_REVIEWS = 5


@dataclass(frozen=True, kw_only=True)
class ReviewEventMatch(RuleMatch):
    """The matching reviews of one entity, newest first, and the window they were found in."""

    reviews: tuple[Review, ...]
    window: Window
    flags: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.reviews)

    @property
    def worst_rating(self) -> float | None:
        rated = [r.rating for r in self.reviews if r.rating is not None]
        return min(rated) if rated else None

    def summary(self) -> str:
        flags = f" flagged {', '.join(self.flags)}" if self.flags else ""
        return f"{self.count} review(s){flags} in the last {self.window.days * 24:g} hours"

    def details(self) -> dict[str, Any]:
        return {**super().details(), "review_ids": list(self.evidence_ids), "count": self.count,
                "flags": list(self.flags), "window": self.window.as_dict()}


class ReviewEventRule(RuleType):
    """Shared evaluation of the event rules; subclasses say which reviews count."""

    event_based = True

    def review_filter(self, options: Any) -> dict[str, Any]:
        raise NotImplementedError

    def evaluate_with(self, store: "ReviewStore", options: Any, entity_ids: Sequence[str],
                      now: datetime) -> list[Evaluation]:
        if not entity_ids:
            return []
        window = Window(now - timedelta(hours=options.max_age_hours), now)
        found = store.matching_reviews(list(entity_ids), window.start, window.end, limit=MAX_REVIEWS_READ,
                                       **self.review_filter(options))
        by_entity: dict[str, list[Review]] = {entity_id: [] for entity_id in entity_ids}
        for review in found:
            by_entity.setdefault(review.entity_id, []).append(review)
        return [self._decide(options, entity_id, by_entity[entity_id], window, now) for entity_id in entity_ids]

    def _decide(self, options: Any, entity_id: str, reviews: list[Review], window: Window, now: datetime) -> Evaluation:
        needed = getattr(options, "min_reviews", 1)
        if len(reviews) < needed:
            return clear(options, entity_id, f"{len(reviews)} matching review(s) in the last "
                                             f"{options.max_age_hours:g} hours, fewer than {needed}")
        prefixes = tuple(getattr(options, "flag_prefixes", ()))
        flags = sorted({flag for r in reviews for flag in r.flags if prefixes and flag.startswith(prefixes)})
        return matched(ReviewEventMatch(
            rule_id=options.id, rule_type=self.type_name, entity_id=entity_id, evaluated_at=now,
            evidence_ids=tuple(r.review_id for r in reviews), reviews=tuple(reviews), window=window,
            flags=tuple(flags),
        ))

    def explain(self, settings: "Settings", store: "ReviewStore", match: RuleMatch) -> dict[str, Any]:
        assert isinstance(match, ReviewEventMatch)
        baseline = Window(match.window.start - timedelta(days=30), match.window.start)
        recent = Window(match.window.end - timedelta(days=7), match.window.end)
        low = self.review_filter(self.options_for(match.entity_id))
        return {
            "reviews": list(match.reviews[:QUOTED_REVIEWS]),
            "competitors": explain.competitors(settings, store, match.entity_id, baseline, recent),
            "authenticity": explain.authenticity_notes(store, match.entity_id, match.window),
            # Reviews per day (low ones only for new_negative_review; flags cannot be counted per day).
            "chart": explain.count_trend(store, match.entity_id, match.window.end, timedelta(days=1), 14,
                                         max_rating=low.get("max_rating")),
        }


class NewNegativeReviewRule(ReviewEventRule):
    type_name = "new_negative_review"
    options_model = NewNegativeReviewOptions

    def review_filter(self, options: Any) -> dict[str, Any]:
        return {"max_rating": options.max_rating}


class IntegrityComplaintRule(ReviewEventRule):
    type_name = "integrity_complaint"
    options_model = IntegrityComplaintOptions

    def review_filter(self, options: Any) -> dict[str, Any]:
        return {"flag_prefixes": list(options.flag_prefixes)}


class AuthenticityCampaignRule(ReviewEventRule):
    type_name = "authenticity_campaign"
    options_model = AuthenticityCampaignOptions

    def review_filter(self, options: Any) -> dict[str, Any]:
        return {"flag_prefixes": list(options.flag_prefixes)}

    def recipients(self, settings: "Settings", match: RuleMatch) -> list[Recipient]:
        """The entity's own team, and (``notify_competitors``) the teams of its group's other members."""
        own = super().recipients(settings, match)
        index = entity_index(settings)
        entity = index.by_id[match.entity_id]
        if not self.options_for(match.entity_id).notify_competitors or entity.group is None:
            return own
        seen = {r.address for r in own}
        others = []
        for member in index.members.get(entity.group, []):
            for address in member.recipients:
                if member.id != entity.id and str(address) not in seen:
                    seen.add(str(address))
                    others.append(Recipient(str(address), member.language, "competitor"))
        return own + others

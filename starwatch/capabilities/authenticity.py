"""The authenticity report of one entity: its report card, its campaigns and its most suspect reviews.

``authenticity_report(settings, entity_id)`` assesses the entity now (``workers.authenticity``:
flags, reasons and weights are written to its reviews, the cards and campaigns to the store)
and returns what ``starwatch authenticity ENTITY`` prints; with ``refresh=False`` it reads the
last stored assessment instead. The same function serves the REST API to come.

Settings read: ``entities`` (the entity must be configured), and the store settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from config import Settings
from search.authenticity_records import AuthenticityCard, Campaign
from search.backends.base import StoreError
from starwatch.capabilities.stores import open_store

EXAMPLES = 5
EXCERPT_CHARACTERS = 160


@dataclass
class FlaggedReview:
    """One of the entity's most down-weighted reviews, with every flag's reason."""

    review_id: str
    source: str
    rating: float | None
    published_at: datetime | None
    weight: float
    excerpt: str
    reasons: dict[str, str] = field(default_factory=dict)


@dataclass
class AuthenticityReport:
    entity_id: str
    name: str
    card: AuthenticityCard
    source_cards: list[AuthenticityCard]
    campaigns: list[Campaign]
    most_suspect: list[FlaggedReview]
    assessed_now: bool


def authenticity_report(settings: Settings, entity_id: str, *, refresh: bool = True, now: datetime | None = None,
                        examples: int = EXAMPLES) -> AuthenticityReport:
    """Assess ``entity_id`` (unless ``refresh`` is False) and return its report.

    :raises ConfigError: the entity is not configured (the message lists the known ones).
    :raises StoreError: the store is unreachable, or ``refresh=False`` and it was never assessed.
    """
    entity = settings.entity(entity_id)
    from workers.authenticity.assess import assess_entity  # the workers stage, loaded only when used

    with open_store(settings) as store:
        if refresh:
            assess_entity(settings, store, entity_id, now=now)
        cards = store.get_authenticity_cards(entity_id)
        if not cards:
            raise StoreError(f"{entity_id} has no authenticity report yet; run `starwatch authenticity {entity_id}` "
                             "without --cached to assess it now")
        campaigns = store.list_campaigns([entity_id])
        suspect = _most_suspect(store.iter_reviews([entity_id]), examples)
    overall = next((c for c in cards if c.source is None), cards[0])
    return AuthenticityReport(entity_id, entity.name, overall, [c for c in cards if c.source is not None],
                              campaigns, suspect, refresh)


def _weight(review) -> float:
    return 1.0 if review.authenticity_weight is None else review.authenticity_weight


def _most_suspect(reviews, limit: int) -> list[FlaggedReview]:
    flagged = [r for r in reviews if r.authenticity_reasons and _weight(r) < 1.0]
    flagged.sort(key=lambda r: (_weight(r), -(r.published_at.timestamp() if r.published_at else 0), r.review_id))
    return [FlaggedReview(
        review_id=r.review_id, source=r.source, rating=r.rating, published_at=r.published_at, weight=_weight(r),
        excerpt=" ".join((r.text or r.title or "").split())[:EXCERPT_CHARACTERS], reasons=dict(r.authenticity_reasons),
    ) for r in flagged[:limit]]

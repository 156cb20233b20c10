"""Result types of the store reads alert rules make (``ReviewStore.sentiment_stats``...), and the
claim rule of the alert delivery log that both backends apply.

Kept beside ``RatingStats`` in spirit but in their own module so the alerting additions to the
store protocol stay a small, separate block. Plain frozen dataclasses: both backends build them,
rules read them. Reads no settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from search.backends.records import as_utc
from search.documents import AlertDelivery


@dataclass(frozen=True)
class AspectSentiment:
    """Reviews of a window that mention one aspect ("service", "prix"...) and their mean sentiment."""

    count: int
    average: float | None


@dataclass(frozen=True)
class SentimentStats:
    """Mean ``sentiment_score`` (-1..1) of the scored reviews of one entity in a window.

    ``aspects`` is filled only when asked for (``by_aspect=True``): per aspect, the reviews that
    mention it, so "service got worse" can be told apart from "everything got worse".
    """

    entity_id: str
    count: int
    average: float | None
    aspects: dict[str, AspectSentiment] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceActivity:
    """When one source of an entity last gave us something.

    ``last_published_at``: the newest review's publication time (no new reviews = a quiet or
    broken source). ``last_collected_at``: the last time a crawl stored one of its reviews (every
    crawl re-stores what it reads, so an old value means crawling fails).
    """

    entity_id: str
    source: str
    reviews: int
    last_published_at: datetime | None
    last_collected_at: datetime | None


def claimable(delivery: AlertDelivery, now: datetime, stale_before: datetime) -> bool:
    """Pending and due, or stuck in ``sending`` since before ``stale_before`` (its sender died)."""
    if delivery.status == "pending":
        return as_utc(delivery.not_before) <= as_utc(now)
    if delivery.status == "sending":
        return delivery.claimed_at is None or as_utc(delivery.claimed_at) < as_utc(stale_before)
    return False

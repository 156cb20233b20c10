"""Items as they travel through the crawl: raw from the spiders, then normalised by the pipelines.

``RawReview`` and ``RawRatingSummary`` hold values exactly as found on the page (ratings may be
``"4,5"`` or ``"9/10"``, dates ``"il y a 3 jours"``); ``RawMention`` is a feed entry that names
the entity. ``NormalizeReviewPipeline`` turns them into
``NormalizedReview``/``NormalizedRatingSummary``/``NormalizedMention``; ``FingerprintPipeline`` then builds the final
``search.documents`` records. The raw reviewer name is hidden from ``repr`` so that Scrapy's
"Dropped: ..." log lines never print it. Every review is built as two of these, so they use
``__slots__`` (no per-instance dict: cheaper to build and to read). No settings are read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from search.documents import utcnow

RawValue = str | int | float | None


@dataclass(slots=True)
class RawReview:
    """One review as collected; ``author_name`` is replaced by a salted hash in normalize."""

    source_id: str
    entity_id: str
    platform: str
    url: str | None = None
    external_id: str | None = None
    author_name: str | None = field(default=None, repr=False)
    rating_value: RawValue = None
    rating_best: RawValue = None
    rating_worst: RawValue = None
    title: str | None = None
    text: str | None = None
    date: str | None = None
    language_hint: str | None = None
    listing_key: str | None = field(default=None, repr=False)  # set by the spider, see crawlers.tracking


@dataclass(slots=True)
class RawMention:
    """A news, blog or forum entry naming the entity; ``matched_span`` is the text that matched."""

    source_id: str
    entity_id: str
    platform: str
    url: str | None = None
    title: str | None = None
    text: str | None = None
    date: str | None = None
    language_hint: str | None = None
    matched_span: str | None = None
    listing_key: str | None = field(default=None, repr=False)  # set by the spider, see crawlers.tracking


@dataclass(slots=True)
class NormalizedMention:
    """A mention with plain text and a parsed date."""

    source_id: str
    entity_id: str
    platform: str
    url: str | None
    title: str | None
    text: str
    language: str | None
    published_at: datetime | None
    matched_span: str | None


@dataclass(slots=True)
class RawRatingSummary:
    """The aggregate rating a page displays (schema.org AggregateRating), as collected."""

    source_id: str
    entity_id: str
    platform: str
    url: str | None = None
    rating_value: RawValue = None
    rating_best: RawValue = None
    rating_worst: RawValue = None
    rating_count: RawValue = None
    review_count: RawValue = None
    observed_at: datetime = field(default_factory=utcnow)


@dataclass(slots=True)
class NormalizedReview:
    """A review with a 0–5 rating, a parsed date, plain text and a hashed author."""

    source_id: str
    entity_id: str
    platform: str
    url: str | None
    external_id: str | None
    author_hash: str | None
    rating: float | None
    rating_original: float | None
    rating_best: float | None
    rating_worst: float | None
    title: str | None
    text: str
    language: str | None
    published_at: datetime | None
    published_at_is_relative: bool = False


@dataclass(slots=True)
class NormalizedRatingSummary:
    """An aggregate rating on 0–5 with the displayed value and counts."""

    source_id: str
    entity_id: str
    platform: str
    url: str | None
    average: float
    average_original: float
    rating_best: float
    rating_count: int | None
    review_count: int | None
    observed_at: datetime

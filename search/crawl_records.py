"""Records of the collection stage's own bookkeeping: crawl state, review changes, crawl health.

- ``CrawlState``: what one source's crawls have seen so far (the high-water mark, the keys of
  listed reviews, a content digest per known review, and for reviews without a platform id the
  author-and-day slot that recognises them after an edit). Incremental crawls read it to stop
  paging at known reviews; change tracking compares against it.
- ``ReviewEvent``: a known review was edited (text, title or rating changed) or disappeared
  from a fully listed source on two consecutive crawls. Both versions are kept, so the history of
  a review is the list of its events.
- ``CrawlEvent``: one crawl of one source, judged by the spider-close health checks. It is
  for **operators** (a broken or silent crawler), never for customer alerts; alerting's
  ``source_silent`` rule reads it through ``ReviewStore.list_crawl_events``.

Ids are computed here for the same reason as in ``search.documents``: writing an event twice
(a retried task) must store it once. Reads no settings.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from search.backends.base import QueryError
from search.documents import utcnow

ReviewEventKind = Literal["edited", "deleted"]
CrawlStatus = Literal["ok", "empty", "degraded", "failed"]
REVIEW_EVENT_KINDS: tuple[str, ...] = ("edited", "deleted")
CRAWL_STATUSES: tuple[str, ...] = ("ok", "empty", "degraded", "failed")
MAX_EVENTS = 10_000


def _digest(*parts: object) -> str:
    joined = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:24]


def make_review_event_id(review_id: str, kind: str, occurred_at: datetime) -> str:
    """One event per review, kind and moment."""
    return "re_" + _digest(review_id, kind, occurred_at.astimezone(timezone.utc).isoformat())


def make_crawl_event_id(source: str, started_at: datetime) -> str:
    """One event per source crawl (a source is never crawled twice at the same instant)."""
    return "ce_" + _digest(source, started_at.astimezone(timezone.utc).isoformat())


def check_event_filters(kinds, allowed: tuple[str, ...], what: str, limit: int) -> None:
    """Refuse unknown kinds/statuses and silly limits with a message that lists the valid ones."""
    unknown = sorted(set(kinds or ()) - set(allowed))
    if unknown:
        raise QueryError(f"unknown {what} {unknown}; expected some of {list(allowed)}")
    if not 0 <= limit <= MAX_EVENTS:
        raise QueryError(f"limit must be between 0 and {MAX_EVENTS} (got {limit})")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    @field_validator(
        "occurred_at", "started_at", "high_water_mark", "last_crawl_at", "last_complete_listing_at",
        "updated_at", mode="after", check_fields=False,
    )
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        """Naive datetimes are UTC, as everywhere in starwatch."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


class KnownReview(_Record):
    """What the last crawls saw of one review: its content digest and how often it was missing.

    A review without a platform id is stored under a fingerprint of its text, so an edit gives it
    a new fingerprint. ``slot`` (author and day, never the text) lets the next crawl recognise the
    edited review, and ``seen_as`` remembers the fingerprint it shows under since then, so the
    review keeps its first id for good (see ``crawlers.tracking``).
    """

    digest: str
    missing_streak: int = Field(default=0, ge=0, description="consecutive complete listings without it")
    edited: bool = Field(default=False, description="an edit was seen once: the review keeps its 'edited' flag")
    slot: str | None = Field(default=None, description="author + day key of a review without platform id")
    seen_as: str | None = Field(
        default=None, description="the fingerprint id it was last collected under, when not its own id"
    )


class CrawlState(_Record):
    """The crawl history of one source, kept between crawls (one record per source)."""

    source: str
    entity_id: str
    high_water_mark: datetime | None = Field(default=None, description="newest publication date seen")
    listing_keys: list[str] = Field(
        default_factory=list, description="cheap keys of the reviews listed so far; paging stops at a page of known keys"
    )
    known_reviews: dict[str, KnownReview] = Field(default_factory=dict, description="review id -> what was seen")
    last_crawl_at: datetime | None = None
    last_complete_listing_at: datetime | None = Field(
        default=None, description="last crawl that walked the whole listing (deletions are judged only then)"
    )
    updated_at: datetime = Field(default_factory=utcnow)


class ReviewVersion(_Record):
    """The content of a review at one moment, as kept in its change history."""

    rating: float | None = None
    title: str | None = None
    text: str = ""


class ReviewEvent(_Record):
    """A known review that changed (``edited``) or vanished (``deleted``)."""

    event_id: str
    kind: ReviewEventKind
    review_id: str
    source: str
    platform: str
    entity_id: str
    occurred_at: datetime = Field(default_factory=utcnow)
    previous: ReviewVersion | None = None
    current: ReviewVersion | None = Field(default=None, description="None for a deletion")
    url: str | None = None


class CrawlEvent(_Record):
    """One crawl of one source and its health verdict (for operators, not customers)."""

    event_id: str
    source: str
    entity_id: str
    platform: str
    status: CrawlStatus
    started_at: datetime
    occurred_at: datetime = Field(default_factory=utcnow, description="when the crawl finished")
    finish_reason: str | None = None
    backfill: bool = False
    complete_listing: bool = False
    pages: int = Field(default=0, ge=0)
    reviews: int = Field(default=0, ge=0)
    new_reviews: int = Field(default=0, ge=0)
    mentions: int = Field(default=0, ge=0)
    snapshots: int = Field(default=0, ge=0)
    problems: list[str] = Field(default_factory=list, description="what went wrong and how to fix it")
    stats: dict[str, int | float | str] = Field(default_factory=dict, description="the crawl's starwatch/* stats")

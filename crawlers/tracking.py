"""What one crawl knows of its source's history: incremental paging and change tracking.

A ``CrawlTracker`` starts from the source's stored ``CrawlState`` (``search.crawl_records``) and
serves three readers during one crawl:

- the spider asks ``page_is_known(raw_reviews)`` before following the next page: a page whose
  reviews were all listed before means the rest of the listing is old, so paging stops there
  (never with ``backfill``, which walks the whole history). Reviews are recognised by a cheap
  *listing key* computed from raw fields (the platform's id, else author and text), because the
  final review id only exists after the pipelines ran, too late for the paging decision;
- the change-tracking pipeline calls ``observe(review)`` for every finished ``Review``: a known
  review whose rating, title or text changed comes back as the previous digest (an edit);
- at the end, ``finish(now)`` builds the next ``CrawlState`` and names the reviews deleted: known
  reviews missing from a *complete* listing on two consecutive complete crawls. A crawl that
  stopped early (known page, ``max_pages``, a failed request) says nothing about deletions.

Pure logic, no I/O and no settings: the ``crawlers.extensions.crawl_state`` extension loads and
saves the state.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from search.crawl_records import CrawlState, KnownReview
from search.documents import Review, normalize_text_for_fingerprint

DELETION_STREAK = 2  # complete listings in a row without a review before it counts as deleted


def _short_hash(*parts: object) -> str:
    joined = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:20]


def listing_key(external_id: str | None, author_name: str | None, text: str | None) -> str:
    """A key that recognises a raw review across crawls before it is normalised.

    Dates are left out: "il y a 3 jours" reads differently on every crawl.
    """
    if external_id and str(external_id).strip():
        return "i_" + _short_hash(str(external_id).strip())
    return "t_" + _short_hash(normalize_text_for_fingerprint(author_name or ""),
                              normalize_text_for_fingerprint(text or "")[:500])


def review_digest(review: Review) -> str:
    """What an edit changes: the rating, the title and the text (already cleaned by normalize)."""
    rating = None if review.rating is None else round(review.rating, 2)
    return _short_hash(rating, review.title or "", review.text)


@dataclass(frozen=True)
class Observation:
    """What a finished review is to the source's history."""

    is_new: bool
    previous_digest: str | None = None  # set when the review was known and its content changed
    edited_before: bool = False

    @property
    def edited_now(self) -> bool:
        return self.previous_digest is not None


@dataclass
class CrawlOutcome:
    """What ``finish`` decided: the state to save and the ids of newly deleted reviews."""

    state: CrawlState
    deleted_review_ids: list[str] = field(default_factory=list)


class CrawlTracker:
    """One crawl's view of its source's history (see the module docstring)."""

    def __init__(self, source_id: str, entity_id: str, state: CrawlState | None = None, backfill: bool = False):
        self.source_id, self.entity_id, self.backfill = source_id, entity_id, backfill
        self.previous = state or CrawlState(source=source_id, entity_id=entity_id)
        self.known_keys = set(self.previous.listing_keys)
        self.seen_keys: set[str] = set()
        self.seen_digests: dict[str, str] = {}
        self.edited_ids: set[str] = set()
        self.newest: datetime | None = self.previous.high_water_mark
        self.new_reviews = 0
        self.listing_reached_end = False
        self.cut_short_reasons: set[str] = set()

    # -- spider side ----------------------------------------------------------------------------

    def page_is_known(self, keys: list[str]) -> bool:
        """True when every review of a non-empty page was listed before (and this is no backfill)."""
        self.seen_keys.update(keys)
        return bool(keys) and not self.backfill and all(key in self.known_keys for key in keys)

    def note_end_of_listing(self) -> None:
        """The spider reached the last page of the listing on its own."""
        self.listing_reached_end = True

    def note_cut_short(self, reason: str) -> None:
        """Paging stopped before the end (``known_page``, ``max_pages``, ``request_failed``...)."""
        self.cut_short_reasons.add(reason)

    @property
    def complete_listing(self) -> bool:
        return self.listing_reached_end and not self.cut_short_reasons

    # -- pipeline side --------------------------------------------------------------------------

    def observe(self, review: Review) -> Observation:
        """Record a finished review: new, known and unchanged, or known and edited."""
        digest = review_digest(review)
        self.seen_digests[review.review_id] = digest
        if review.published_at is not None and (self.newest is None or review.published_at > self.newest):
            self.newest = review.published_at
        known = self.previous.known_reviews.get(review.review_id)
        if known is None:
            self.new_reviews += 1
            return Observation(is_new=True)
        if known.digest != digest:
            self.edited_ids.add(review.review_id)
            return Observation(is_new=False, previous_digest=known.digest, edited_before=known.edited)
        if known.edited:
            self.edited_ids.add(review.review_id)
        return Observation(is_new=False, edited_before=known.edited)

    # -- end of crawl ---------------------------------------------------------------------------

    def finish(self, now: datetime, complete: bool | None = None) -> CrawlOutcome:
        """The next state, and the reviews that just reached the deletion streak."""
        complete = self.complete_listing if complete is None else complete
        known: dict[str, KnownReview] = {}
        deleted: list[str] = []
        for review_id, previous in self.previous.known_reviews.items():
            if review_id in self.seen_digests:
                continue
            streak = previous.missing_streak + 1 if complete else previous.missing_streak
            if complete and streak == DELETION_STREAK:
                deleted.append(review_id)
            known[review_id] = previous.model_copy(update={"missing_streak": streak})
        for review_id, digest in self.seen_digests.items():
            known[review_id] = KnownReview(digest=digest, edited=review_id in self.edited_ids)
        state = CrawlState(
            source=self.source_id, entity_id=self.entity_id, high_water_mark=self.newest,
            listing_keys=sorted(self.known_keys | self.seen_keys), known_reviews=known, last_crawl_at=now,
            last_complete_listing_at=now if complete else self.previous.last_complete_listing_at, updated_at=now,
        )
        return CrawlOutcome(state, sorted(deleted))

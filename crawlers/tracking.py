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
- a review without a platform id is known by a fingerprint of its text, so an edit of its text
  looks like a new review. Such a review with an author also has a text-free *slot* (author hash
  and publication day). An unknown review whose slot held exactly one known review that this
  crawl has not seen is *held*: whether that known review vanished is only clear once the
  listing was read. ``release_held()`` (called when the crawl runs out of pages) then calls it
  the edit of that review, which keeps its first id for good (``KnownReview.seen_as`` maps the
  new fingerprint to it), when exactly one review of the slot vanished and exactly one appeared
  and the crawl read past the new reviews; anything else (two reviews by one author on one day,
  an anonymous review, a crawl cut short) stays a new review, as before;
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
_AMBIGUOUS = ""  # slot of several known reviews: never matched


def _short_hash(*parts: object) -> str:
    joined = "\x1f".join(["" if part is None else str(part) for part in parts])
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:20]


def listing_key(external_id: str | None, author_name: str | None, text: str | None) -> str:
    """A key that recognises a raw review across crawls before it is normalised.

    Dates are left out: "il y a 3 jours" reads differently on every crawl.
    """
    if external_id and str(external_id).strip():
        return "i_" + _short_hash(str(external_id).strip())
    return "t_" + _short_hash(normalize_text_for_fingerprint(author_name or ""),
                              normalize_text_for_fingerprint(text or "")[:500])


def review_slot(review: Review) -> str | None:
    """A text-free key of a review without platform id: its author and publication day.

    None when the review has a platform id (its id survives an edit anyway) or no author (then
    only the text told it apart from other anonymous reviews). The day is the UTC publication
    day; a relative date that drifts to another day between crawls ("2 weeks ago") finds no match.
    """
    if review.external_id or not review.author_hash:
        return None
    day = review.published_at.date().isoformat() if review.published_at else ""
    # Computed for every review, so one direct hash rather than ``_short_hash``'s generic join.
    return "s_" + hashlib.sha1(f"{review.author_hash}\x1f{day}".encode()).hexdigest()[:20]


def review_digest(review: Review) -> str:
    """What an edit changes: the rating, the title and the text (already cleaned by normalize).

    The same value as ``_short_hash(rounded rating, title or "", text)``, spelt out because it is
    computed for every review of every crawl.
    """
    rating = "" if review.rating is None else str(round(review.rating, 2))
    return hashlib.sha1(f"{rating}\x1f{review.title or ''}\x1f{review.text}".encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Observation:
    """What a finished review is to the source's history."""

    is_new: bool
    previous_digest: str | None = None  # set when the review was known and its content changed
    edited_before: bool = False
    held: bool = False  # wait for ``release_held``: maybe the edit of a review without platform id
    review_id: str | None = None  # the id to store it under, when not the one it came with

    @property
    def edited_now(self) -> bool:
        return self.previous_digest is not None


_NEW = Observation(is_new=True)  # immutable, so every new review can share it


@dataclass
class CrawlOutcome:
    """What ``finish`` decided: the state to save and the ids of newly deleted reviews."""

    state: CrawlState
    deleted_review_ids: list[str] = field(default_factory=list)
    unreleased: int = 0  # held reviews never released (the crawl stopped before running out of pages)


class CrawlTracker:
    """One crawl's view of its source's history (see the module docstring)."""

    def __init__(self, source_id: str, entity_id: str, state: CrawlState | None = None, backfill: bool = False):
        self.source_id, self.entity_id, self.backfill = source_id, entity_id, backfill
        self.previous = state or CrawlState(source=source_id, entity_id=entity_id)
        self.known_keys = set(self.previous.listing_keys)
        self.seen_keys: set[str] = set()
        self.seen_digests: dict[str, str] = {}
        self.seen_slots: dict[str, str] = {}
        self.seen_as: dict[str, str] = {}
        self.edited_ids: set[str] = set()
        self.held: dict[str, list[Review]] = {}
        self.aliases = {known.seen_as: review_id for review_id, known in self.previous.known_reviews.items()
                        if known.seen_as}
        self.slot_owner: dict[str, str] = {}
        for review_id, known in self.previous.known_reviews.items():
            if known.slot and known.missing_streak < DELETION_STREAK:
                self.slot_owner[known.slot] = _AMBIGUOUS if known.slot in self.slot_owner else review_id
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
        """Record a finished review: new, known and unchanged, known and edited, or held."""
        if review.published_at is not None and (self.newest is None or review.published_at > self.newest):
            self.newest = review.published_at
        review_id, slot = review.review_id, review_slot(review)
        known = self.previous.known_reviews.get(review_id)
        alias = self.aliases.get(review_id) if known is None else None
        if alias is not None and alias not in self.seen_digests:  # edited before: its text's fingerprint
            review_id, known = alias, self.previous.known_reviews[alias]
        if known is not None:
            return self._known(review, review_id, known, slot)
        owner = self.slot_owner.get(slot) if slot else None
        if owner and owner not in self.seen_digests:
            self.held.setdefault(slot, []).append(review)
            return Observation(is_new=False, held=True)
        return self._new(review, slot)

    def release_held(self) -> list[tuple[Review, Observation]]:
        """Decide the held reviews once the listing was read: the edit of the one vanished review
        of their slot, or new reviews (see the module docstring)."""
        released: list[tuple[Review, Observation]] = []
        read_past_changes = self.read_past_new_reviews
        for slot, reviews in self.held.items():
            owner = self.slot_owner[slot]
            if read_past_changes and len(reviews) == 1 and owner not in self.seen_digests:
                released.append((reviews[0], self._known(reviews[0], owner, self.previous.known_reviews[owner], slot)))
            else:
                released += [(review, self._new(review, slot)) for review in reviews]
        self.held = {}
        return released

    @property
    def read_past_new_reviews(self) -> bool:
        """Whether a known review missing from this crawl is really gone from the listing.

        True when the listing was walked to its end, or paging stopped at a page of known
        reviews (so every page from the newest reviews down to a known one was read), with no
        page lost to a failed request or to ``max_pages``.
        """
        reasons = self.cut_short_reasons
        return (self.listing_reached_end or "known_page" in reasons) and reasons <= {"known_page"}

    def _new(self, review: Review, slot: str | None) -> Observation:
        self.new_reviews += 1
        self.seen_digests[review.review_id] = review_digest(review)
        if slot:
            self.seen_slots[review.review_id] = slot
        return _NEW

    def _known(self, review: Review, review_id: str, known: KnownReview, slot: str | None) -> Observation:
        """``review`` is the known review ``review_id`` (its own id, or the one it was matched to)."""
        digest = review_digest(review)
        self.seen_digests[review_id] = digest
        if slot or known.slot:
            self.seen_slots[review_id] = slot or known.slot
        stored_as = None if review_id == review.review_id else review_id
        if stored_as:
            self.seen_as[review_id] = review.review_id
        if known.digest != digest:
            self.edited_ids.add(review_id)
            return Observation(is_new=False, previous_digest=known.digest, edited_before=known.edited,
                               review_id=stored_as)
        if known.edited:
            self.edited_ids.add(review_id)
        return Observation(is_new=False, edited_before=known.edited, review_id=stored_as)

    # -- end of crawl ---------------------------------------------------------------------------

    def finish(self, now: datetime, complete: bool | None = None) -> CrawlOutcome:
        """The next state, and the reviews that just reached the deletion streak."""
        complete = self.complete_listing if complete is None else complete
        known: dict[str, KnownReview | dict] = {}
        deleted: list[str] = []
        for review_id, previous in self.previous.known_reviews.items():
            if review_id in self.seen_digests:
                continue
            streak = previous.missing_streak + 1 if complete else previous.missing_streak
            if complete and streak == DELETION_STREAK:
                deleted.append(review_id)
            known[review_id] = previous.model_copy(update={"missing_streak": streak})
        # Every review of the listing gets an entry: plain dicts, validated in one call below
        # (thousands of models built one by one cost several milliseconds per crawl).
        edited_ids, seen_slots, seen_as = self.edited_ids, self.seen_slots, self.seen_as
        for review_id, digest in self.seen_digests.items():
            known[review_id] = {"digest": digest, "edited": review_id in edited_ids,
                                "slot": seen_slots.get(review_id), "seen_as": seen_as.get(review_id)}
        unreleased = sum(len(reviews) for reviews in self.held.values())
        # Held reviews never reached the store: keep this crawl's listing keys out, so the next
        # crawl does not stop paging before the pages they are on.
        keys = self.known_keys if unreleased else self.known_keys | self.seen_keys
        state = CrawlState.model_validate({
            "source": self.source_id, "entity_id": self.entity_id, "high_water_mark": self.newest,
            "listing_keys": sorted(keys), "known_reviews": known, "last_crawl_at": now,
            "last_complete_listing_at": now if complete else self.previous.last_complete_listing_at, "updated_at": now,
        })
        return CrawlOutcome(state, sorted(deleted), unreleased)

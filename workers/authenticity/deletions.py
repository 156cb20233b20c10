"""Deleted reviews of an entity, per source, from the collection stage's review events.

The crawler records a ``deleted`` review event when a known review is missing from a fully
listed source on consecutive crawls (``search.crawl_records``). A source whose whole listing was
never crawled cannot show a deletion, so "no events" only means "no deletions" once the source
has a complete listing (``CrawlState.last_complete_listing_at``); before that, and on a store
that keeps no review events, the "Deleted Reviews" test is not run and the card says why.
Reads no settings.
"""

from __future__ import annotations

from typing import Sequence

from search.backends.base import ReviewStore
from workers.authenticity.card_tests_people import Deletions

MAX_EVENTS = 10_000
NO_EVENTS = "no deletion data: this store does not record deleted reviews"
NO_LISTING = ("no deletion data: deletions are seen only after a source's whole listing has been crawled, "
              "and this source's has not been yet")


def deletions_of(store: ReviewStore, entity_id: str, sources: Sequence[str]) -> dict[str, Deletions]:
    """Per source of the entity: the ratings of its deleted reviews, or why nothing is known."""
    if not (hasattr(store, "list_review_events") and hasattr(store, "get_crawl_state")):
        return {source: Deletions(missing_reason=NO_EVENTS) for source in sources}
    result: dict[str, Deletions] = {}
    complete = [s for s in sources if _fully_listed(store, s)]
    events = store.list_review_events(entity_ids=[entity_id], source_ids=complete, kinds=["deleted"],
                                      limit=MAX_EVENTS) if complete else []
    for source in sources:
        if source not in complete:
            result[source] = Deletions(missing_reason=NO_LISTING)
            continue
        latest = {e.review_id: e for e in reversed(events) if e.source == source}  # one per review
        result[source] = Deletions(deleted_ratings=[e.previous.rating if e.previous else None
                                                    for e in latest.values()])
    return result


def _fully_listed(store: ReviewStore, source: str) -> bool:
    state = store.get_crawl_state(source)
    return state is not None and state.last_complete_listing_at is not None

"""Load a source's crawl history before it is crawled, and save what the crawl learnt after.

On ``spider_opened`` the source's ``CrawlState`` is read from the store and handed to the spider
as ``spider.crawl_tracker`` (``crawlers.tracking.CrawlTracker``), which drives the incremental
stop and change tracking. On ``spider_closed`` the next state is saved, and reviews that went
missing from two complete listings in a row become ``deleted`` review events; the stored review
also gets the ``deleted`` flag, so a search with ``flags=["deleted"]`` finds it.

A listing counts as complete only when the spider reached its end, the crawl finished normally,
no request failed, no page was unreadable (``UNREADABLE_PAGE_ERRORS``) and every record was
handed off. If the hand-off failed, the old state is kept, so the next crawl fetches the same
pages again instead of stopping at pages whose records never arrived. A store that cannot be read makes a crawl without history (counted in
``starwatch/state/errors``), and then nothing is saved over the history it could not read.

Once the first history of the process is loaded, the objects alive are frozen out of the garbage
collector's full collections (``crawlers.long_lived``): a crawl process keeps them to its end.

Settings: ``STARWATCH_CRAWL_STATE_ENABLED`` and ``STARWATCH_STATE_STORE`` (``crawlers.state_store``).
Reviews the change-tracking pipeline still held when the crawl stopped (it stopped before
running out of pages, so they were never handed off) are counted in
``starwatch/reviews/held_unreleased``; the state then keeps the old listing keys, so the next
crawl pages down to them again.

Stats: ``starwatch/state/{loaded,saved,errors}``, ``starwatch/reviews/{deleted,held_unreleased}``,
``starwatch/listing/complete``.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawlers.long_lived import freeze_long_lived_objects
from crawlers.state_store import crawl_store, state_enabled
from crawlers.tracking import CrawlTracker
from search.backends.base import StoreError
from search.crawl_records import ReviewEvent, ReviewVersion, make_review_event_id
from search.documents import Review, utcnow

logger = logging.getLogger(__name__)


# Page errors after which nothing of the page was read (``starwatch/page_errors/<code>``). A
# "load more" answer that is not JSON ends the paging like a last page would, yet the reviews
# after it were never seen: counting that listing as complete would call them deleted. Errors
# that lose one block or syntax of a page that was otherwise read (``jsonld_invalid``,
# ``microdata_invalid``, ``rdfa_invalid``) do not count, or a site with one broken widget on
# every page would never be judged and would be backfilled on every crawl.
UNREADABLE_PAGE_ERRORS = (
    "json_invalid", "html_invalid", "not_html", "feed_invalid", "feed_missing", "next_data_missing", "reviews_missing",
)


def listing_is_complete(tracker: CrawlTracker, stats: dict, reason: str | None) -> bool:
    """Whether this crawl saw the whole listing (the condition for judging deletions)."""
    return (
        tracker.complete_listing and reason == "finished"
        and not stats.get("starwatch/request_errors") and not stats.get("starwatch/handoff/error")
        and not any(stats.get(f"starwatch/page_errors/{code}") for code in UNREADABLE_PAGE_ERRORS)
    )


def version_of(review: Review) -> ReviewVersion:
    return ReviewVersion(rating=review.rating, title=review.title, text=review.text)


class CrawlStateExtension:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.load_failed = False

    @classmethod
    def from_crawler(cls, crawler):
        if not state_enabled(crawler):
            raise NotConfigured("STARWATCH_CRAWL_STATE_ENABLED is off")
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def _store_failed(self, action: str, error: Exception) -> None:
        self.stats.inc_value("starwatch/state/errors")
        logger.error("Crawl state: %s failed (%s); check the store settings (store.backend)", action, error)

    def spider_opened(self, spider):
        if not hasattr(spider, "source"):
            return
        state = None
        try:
            state = crawl_store(self.crawler).get_crawl_state(spider.source.id)
            self.stats.set_value("starwatch/state/loaded", int(state is not None))
        except StoreError as error:
            self.load_failed = True
            self._store_failed(f"reading the history of source {spider.source.id!r}", error)
        spider.crawl_tracker = CrawlTracker(spider.source.id, spider.entity.id, state, spider.backfill)
        # The process's startup is done and the history loaded: full collections need not walk them.
        freeze_long_lived_objects()

    def spider_closed(self, spider, reason):
        tracker = getattr(spider, "crawl_tracker", None)
        if tracker is None or self.load_failed:
            return
        stats = self.stats.get_stats()
        complete = listing_is_complete(tracker, stats, reason)
        self.stats.set_value("starwatch/listing/complete", int(complete))
        if stats.get("starwatch/handoff/error"):
            logger.warning("Crawl state of %s not updated: the hand-off failed", spider.source.id)
            return
        now = utcnow()
        outcome = tracker.finish(now, complete)
        if outcome.unreleased:
            self.stats.set_value("starwatch/reviews/held_unreleased", outcome.unreleased)
            logger.warning("Source %s: %d held review(s) were not handed off (the crawl stopped early); the next "
                           "crawl collects them again", spider.source.id, outcome.unreleased)
        try:
            store = crawl_store(self.crawler)
            self._record_deletions(store, spider, outcome.deleted_review_ids, now)
            store.save_crawl_state(outcome.state)
            self.stats.set_value("starwatch/state/saved", 1)
        except StoreError as error:
            self._store_failed(f"saving the history of source {spider.source.id!r}", error)

    def _record_deletions(self, store, spider, review_ids: list[str], now) -> None:
        events, flagged = [], []
        for review_id in review_ids:
            stored = store.get_review(review_id)
            events.append(ReviewEvent(
                event_id=make_review_event_id(review_id, "deleted", now), kind="deleted", review_id=review_id,
                source=spider.source.id, platform=spider.platform, entity_id=spider.entity.id, occurred_at=now,
                previous=version_of(stored) if stored else None, url=stored.url if stored else None,
            ))
            if stored is not None and "deleted" not in stored.flags:
                flagged.append(stored.model_copy(update={"flags": [*stored.flags, "deleted"]}))
        if events:
            store.add_review_events(events)
            self.stats.inc_value("starwatch/reviews/deleted", len(events))
            logger.info("Source %s: %d review(s) deleted since the last complete listings", spider.source.id, len(events))
        if flagged:
            store.upsert_reviews(flagged)

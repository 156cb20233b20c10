"""Tell new, known and edited reviews apart, and record every edit with both versions.

Runs after de-duplication (one review counts once) and before the hand-off. Each ``Review`` is
shown to the crawl tracker (``spider.crawl_tracker``, see ``crawlers.tracking``): a known review
whose rating, title or text changed becomes an ``edited`` review event, stored at once with the
previous version (read from the store) and the new one. An edited review keeps the ``edited``
flag on later crawls too, so searches can filter on it. Mentions and snapshots pass untouched.

A review without a platform id is stored under a fingerprint of its text, which an edit
changes. When the tracker recognises such a review as the edit of a known one (same author and
day, see ``crawlers.tracking``), it goes on under the known review's id, so the stored document
is updated instead of a second one added and the review is not counted twice. Whether it is an
edit is only clear once the listing was read (did the known review vanish?), so the tracker may
*hold* a review: it leaves the item flow here (a ``DropItem`` logged at DEBUG, counted in
``starwatch/reviews/held``) and is sent on to the pipelines after this one when the spider runs
out of pages (``spider_idle``), as an edit or as a new review. Those later pipelines must be
synchronous, as the hand-off is.

Settings: ``STARWATCH_CRAWL_STATE_ENABLED`` (off: the pipeline switches itself off).
Stats: ``starwatch/reviews/{new,known,edited,held}``, ``starwatch/state/errors``. The new and known
counts, one for every review, are kept as plain numbers and written to the stats when the
spider closes (before the crawl-health and crawl-state extensions read them): a Scrapy stats
call costs more than the rest of this pipeline's work on an unchanged review.
"""

from __future__ import annotations

import inspect
import logging

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from crawlers.extensions.crawl_state import version_of
from crawlers.state_store import crawl_store, state_enabled
from crawlers.tracking import Observation
from search.backends.base import StoreError
from search.crawl_records import ReviewEvent, make_review_event_id
from search.documents import Review, utcnow

logger = logging.getLogger(__name__)


class ChangeTrackingPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.new_reviews = 0
        self.known_reviews = 0

    @classmethod
    def from_crawler(cls, crawler):
        if not state_enabled(crawler):
            raise NotConfigured("STARWATCH_CRAWL_STATE_ENABLED is off")
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.release_held, signal=signals.spider_idle)
        return pipeline

    def process_item(self, item):
        tracker = getattr(self.crawler.spider, "crawl_tracker", None)
        if not isinstance(item, Review) or tracker is None:
            return item
        observation = tracker.observe(item)
        if observation.held:
            self.stats.inc_value("starwatch/reviews/held")
            raise DropItem(f"held: review {item.review_id} may be the edit of a known review without "
                           "platform id; it goes on when the listing was read", log_level="DEBUG")
        return self._settle(item, observation)

    def close_spider(self):
        for key, count in (("starwatch/reviews/new", self.new_reviews), ("starwatch/reviews/known", self.known_reviews)):
            if count:
                self.stats.inc_value(key, count)

    def _settle(self, item: Review, observation: Observation) -> Review:
        if observation.is_new:
            self.new_reviews += 1
            return item
        self.known_reviews += 1
        if observation.review_id:
            item = item.model_copy(update={"review_id": observation.review_id})
        if observation.edited_now:
            self._record_edit(item)
        if observation.edited_now or observation.edited_before:
            return item.model_copy(update={"flags": sorted({*item.flags, "edited"})})
        return item

    def release_held(self, spider):
        """The spider ran out of pages: decide the held reviews and send them on."""
        tracker = getattr(spider, "crawl_tracker", None)
        if tracker is None or not tracker.held:
            return
        for review, observation in tracker.release_held():
            self._send_on(self._settle(review, observation), spider)

    def _send_on(self, item: Review, spider) -> None:
        """Run ``item`` through the pipelines after this one, then signal it as scraped, as Scrapy would."""
        pipelines = self.crawler.engine.scraper.itemproc.middlewares
        for pipeline in pipelines[pipelines.index(self) + 1:]:
            if not hasattr(pipeline, "process_item"):
                continue
            try:
                item = pipeline.process_item(item)
            except DropItem as drop:
                self.crawler.signals.send_catch_log(signals.item_dropped, item=item, response=None,
                                                    exception=drop, spider=spider)
                return
            if inspect.isawaitable(item) or hasattr(item, "addCallback"):
                logger.error("Pipeline %s answered a held review asynchronously, so it was lost; make it "
                             "synchronous or order it before %s in ITEM_PIPELINES", type(pipeline).__name__,
                             type(self).__name__)
                return
        self.crawler.signals.send_catch_log(signals.item_scraped, item=item, response=None, spider=spider)

    def _record_edit(self, review: Review) -> None:
        self.stats.inc_value("starwatch/reviews/edited")
        now = utcnow()
        try:
            store = crawl_store(self.crawler)
            previous = store.get_review(review.review_id)
            store.add_review_events([ReviewEvent(
                event_id=make_review_event_id(review.review_id, "edited", now), kind="edited",
                review_id=review.review_id, source=review.source, platform=review.platform,
                entity_id=review.entity_id, occurred_at=now, previous=version_of(previous) if previous else None,
                current=version_of(review), url=review.url,
            )])
        except StoreError as error:
            self.stats.inc_value("starwatch/state/errors")
            logger.error("Recording the edit of review %s failed (%s); check the store", review.review_id, error)

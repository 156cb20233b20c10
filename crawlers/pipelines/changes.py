"""Tell new, known and edited reviews apart, and record every edit with both versions.

Runs after de-duplication (one review counts once) and before the hand-off. Each ``Review`` is
shown to the crawl tracker (``spider.crawl_tracker``, see ``crawlers.tracking``): a known review
whose rating, title or text changed becomes an ``edited`` review event, stored at once with the
previous version (read from the store) and the new one. An edited review keeps the ``edited``
flag on later crawls too, so searches can filter on it. Mentions and snapshots pass untouched.

Works with reviews that carry the platform's own id; a review identified only by a fingerprint of
its text gets a new id when its text changes, so its edit shows as a new review (and the old one
as deleted after two complete listings).

Settings: ``STARWATCH_CRAWL_STATE_ENABLED`` (off: the pipeline switches itself off).
Stats: ``starwatch/reviews/{new,known,edited}``, ``starwatch/state/errors``.
"""

from __future__ import annotations

import logging

from scrapy.exceptions import NotConfigured

from crawlers.extensions.crawl_state import version_of
from crawlers.state_store import crawl_store, state_enabled
from search.backends.base import StoreError
from search.crawl_records import ReviewEvent, make_review_event_id
from search.documents import Review, utcnow

logger = logging.getLogger(__name__)


class ChangeTrackingPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        if not state_enabled(crawler):
            raise NotConfigured("STARWATCH_CRAWL_STATE_ENABLED is off")
        return cls(crawler)

    def process_item(self, item):
        tracker = getattr(self.crawler.spider, "crawl_tracker", None)
        if not isinstance(item, Review) or tracker is None:
            return item
        observation = tracker.observe(item)
        if observation.is_new:
            self.stats.inc_value("starwatch/reviews/new")
            return item
        self.stats.inc_value("starwatch/reviews/known")
        if observation.edited_now:
            self._record_edit(item)
        if observation.edited_now or observation.edited_before:
            return item.model_copy(update={"flags": sorted({*item.flags, "edited"})})
        return item

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

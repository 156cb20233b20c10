"""Judge every crawl when its spider closes and record the verdict as a crawl event.

Runs ``crawlers.monitors.judge_crawl`` on the crawl's stats, writes the verdict to the stats
(``starwatch/health/status``, ``starwatch/health/problems``) so the crawl report shows it, logs
it (a broken crawl at ERROR), and stores a ``CrawlEvent`` with the counts through
``ReviewStore.add_crawl_events``. Operators (and alerting's ``source_silent`` rule, through
``ReviewStore.list_crawl_events``) read those events; customers never see them.

Scrapy settings read: ``STARWATCH_HEALTH_ENABLED`` (default True), ``STARWATCH_HEALTH_MIN_LISTED``,
``STARWATCH_HEALTH_MAX_VALIDATION_ERRORS``, ``STARWATCH_HEALTH_MAX_ERROR_LOGS`` (see
``crawlers.monitors``). Without crawl state (``STARWATCH_CRAWL_STATE_ENABLED`` off) the verdict
is still computed and logged, but not stored.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawlers.extensions.crawl_state import listing_is_complete
from crawlers.monitors import HealthLimits, judge_crawl
from crawlers.state_store import crawl_store
from search.backends.base import StoreError
from search.crawl_records import CrawlEvent, make_crawl_event_id
from search.documents import utcnow

logger = logging.getLogger(__name__)


def _as_aware(moment) -> datetime:
    if not isinstance(moment, datetime):
        return utcnow()
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _numeric_stats(stats: dict) -> dict:
    return {key: value for key, value in stats.items()
            if key.startswith("starwatch/") and isinstance(value, (int, float, str))}


class CrawlHealthExtension:
    def __init__(self, crawler, limits: HealthLimits):
        self.crawler = crawler
        self.limits = limits

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("STARWATCH_HEALTH_ENABLED", True):
            raise NotConfigured("STARWATCH_HEALTH_ENABLED is off")
        limits = HealthLimits(
            min_listed=settings.getint("STARWATCH_HEALTH_MIN_LISTED", 1),
            max_validation_errors=settings.getint("STARWATCH_HEALTH_MAX_VALIDATION_ERRORS", 0),
            max_error_logs=settings.getint("STARWATCH_HEALTH_MAX_ERROR_LOGS", 0),
        )
        extension = cls(crawler, limits)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider, reason):
        if not hasattr(spider, "source"):
            return
        stats = self.crawler.stats.get_stats()
        verdict = judge_crawl(stats, reason, self.limits)
        self.crawler.stats.set_value("starwatch/health/status", verdict.status)
        if verdict.problems:
            self.crawler.stats.set_value("starwatch/health/problems", " | ".join(verdict.problems))
        level = logging.ERROR if verdict.status in ("failed", "empty") else logging.INFO
        logger.log(level, "Crawl health of source %s: %s%s", spider.source.id, verdict.status,
                   "".join(f"\n  - {problem}" for problem in verdict.problems))
        store = crawl_store(self.crawler)
        if store is not None:
            self._record(store, spider, stats, reason, verdict)

    def _record(self, store, spider, stats: dict, reason, verdict) -> None:
        tracker = getattr(spider, "crawl_tracker", None)
        started = _as_aware(stats.get("start_time"))
        event = CrawlEvent(
            event_id=make_crawl_event_id(spider.source.id, started), source=spider.source.id,
            entity_id=spider.entity.id, platform=spider.platform, status=verdict.status, started_at=started,
            occurred_at=utcnow(), finish_reason=reason, backfill=bool(getattr(spider, "backfill", False)),
            complete_listing=bool(tracker and listing_is_complete(tracker, stats, reason)),
            pages=stats.get("starwatch/pages", 0), reviews=stats.get("starwatch/handed_off/reviews", 0),
            new_reviews=tracker.new_reviews if tracker else 0, mentions=stats.get("starwatch/handed_off/mentions", 0),
            snapshots=stats.get("starwatch/handed_off/snapshots", 0), problems=verdict.problems,
            stats=_numeric_stats(stats),
        )
        try:
            store.add_crawl_events([event])
        except StoreError as error:
            logger.error("Recording the crawl event of %s failed (%s); check the store", spider.source.id, error)

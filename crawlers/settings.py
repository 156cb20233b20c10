"""Scrapy settings for the starwatch crawlers, and their mapping from starwatch settings.

The module-level constants are a normal Scrapy settings module (``scrapy crawl`` with
``SCRAPY_SETTINGS_MODULE=crawlers.settings``). They keep Scrapy's polite template defaults: obey
robots.txt, one request at a time per domain, a one-second delay, AutoThrottle, and a user agent
that says who we are.

``scrapy_settings_for(settings)`` starts from these constants and applies ``settings.crawl.*``
(user agent, robots.txt, delay, concurrency, AutoThrottle, timeout), so a test or demo can set the
delay to 0, and passes the typed settings object on as ``STARWATCH_SETTINGS``.

Item pipelines run in this order (gaps leave room for later stages):
  100 validate    drop impossible items, count field problems
  200 normalize   0–5 ratings, parsed dates, plain text, hashed authors
  300 fingerprint build search.documents records with stable ids
  400 dedupe      drop repeats of an id within one crawl
  450 changes     new / known / edited reviews; edits become review events (crawl history)
  900 handoff     send batches to the task queue (STARWATCH_SINK)

Extensions: ``CrawlStateExtension`` loads a source's history before its crawl (incremental
paging, change tracking) and saves it after, recording deletions; ``CrawlHealthExtension``
judges each crawl at spider close and stores the verdict as a crawl event for operators;
``CoreStatsExtension`` replaces Scrapy's ``CoreStats`` without its per-item signal listener.

Per-item cost matters here: a page holds many reviews and every review crosses Scrapy's item
machinery and six pipelines, so the settings avoid per-item work nothing uses (the DEBUG log
records ``LOG_LEVEL`` drops, the ``item_scraped`` listener). ``benchmarks/crawl_throughput.py``
measures a crawl against a bare spider under these same settings.
``STARWATCH_CRAWL_STATE_ENABLED = False`` crawls without history (``starwatch extract``).
"""

from __future__ import annotations

from typing import Any

BOT_NAME = "starwatch"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

USER_AGENT = "starwatch/0.1 (reputation monitoring; +https://github.com/starwatch-oss/starwatch)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024  # review pages are small; a huge body is a mistake or a trap
RETRY_TIMES = 2
COOKIES_ENABLED = False  # public review pages need no session
# Items of one response processed in parallel. Scrapy's default (100) starts 100 asyncio tasks for
# every response however few items it holds; our pipelines are synchronous, so a few suffice.
CONCURRENT_ITEMS = 8
TELNETCONSOLE_ENABLED = False  # no debugging port on production hosts
REMOTE_CONTROL_ENABLED = False  # nor Scrapy's code-execution HTTP endpoint
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
# Scrapy builds a DEBUG record per page and per item even when LOG_LEVEL drops it; this one doesn't.
LOG_FORMATTER = "crawlers.log_formatter.LevelAwareLogFormatter"

DOWNLOADER_MIDDLEWARES = {
    "crawlers.middlewares.AddressGuardMiddleware": 90,  # before robots.txt (100) fetches anything
    "crawlers.truncated_pages.TruncatedPageMiddleware": 950,  # sees a cut-short body before the others
}
# A body shorter than its Content-Length is kept (flagged, counted, listing incomplete) rather than
# failing the request and losing every review that did arrive (crawlers/truncated_pages.py).
DOWNLOAD_FAIL_ON_DATALOSS = False

ITEM_PIPELINES = {
    "crawlers.pipelines.validate.ValidateReviewPipeline": 100,
    "crawlers.pipelines.normalize.NormalizeReviewPipeline": 200,
    "crawlers.pipelines.fingerprint.FingerprintPipeline": 300,
    "crawlers.pipelines.dedupe.DropDuplicatesPipeline": 400,
    "crawlers.pipelines.changes.ChangeTrackingPipeline": 450,
    "crawlers.pipelines.handoff.HandoffPipeline": 900,
}

EXTENSIONS = {
    # Scrapy's CoreStats listens to item_scraped, which costs an asyncio task per review; this one
    # doesn't, and the hand-off pipeline counts item_scraped_count (crawlers/extensions/core_stats.py).
    "scrapy.extensions.corestats.CoreStats": None,
    "crawlers.extensions.core_stats.CoreStatsExtension": 0,
    "crawlers.extensions.crawl_state.CrawlStateExtension": 500,
    "crawlers.extensions.crawl_health.CrawlHealthExtension": 510,
}
STARWATCH_CRAWL_STATE_ENABLED = True  # off: no history read or written (every crawl is a full one)
STARWATCH_STATE_STORE = None  # a crawlers.state_store.SharedStore; None means the configured store
STARWATCH_HEALTH_MIN_LISTED = 1  # fewer entries found than this: the crawl is "empty"
STARWATCH_HEALTH_MAX_VALIDATION_ERRORS = 0  # Spidermon's default: any invalid entry degrades the crawl
STARWATCH_HEALTH_MAX_ERROR_LOGS = 0

# Expected drops (impossible ratings, repeats) are data-quality signals counted in stats, not
# warnings; the stats name every reason.
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"

STARWATCH_SETTINGS = None  # the config.Settings object; set by scrapy_settings_for()
STARWATCH_SINK = None  # callable(batch: dict); None means workers.dispatch.submit_batch


def base_settings() -> dict[str, Any]:
    """This module's Scrapy settings as a dict."""
    return {name: value for name, value in globals().items() if name.isupper()}


def scrapy_settings_for(settings) -> dict[str, Any]:
    """Scrapy settings for a crawl configured by a starwatch ``config.Settings``.

    :param settings: the typed starwatch settings (``config.load_settings()``).

    Example::

        process = CrawlerProcess(scrapy_settings_for(load_settings("starwatch.yaml")))
    """
    crawl = settings.crawl
    scrapy_settings = base_settings()
    scrapy_settings.update(
        USER_AGENT=crawl.user_agent,
        ROBOTSTXT_OBEY=crawl.obey_robots_txt,
        DOWNLOAD_DELAY=crawl.download_delay_seconds,
        CONCURRENT_REQUESTS_PER_DOMAIN=crawl.concurrent_requests_per_domain,
        AUTOTHROTTLE_ENABLED=crawl.autothrottle,
        # AutoThrottle adapts the delay from its start value, never going below DOWNLOAD_DELAY;
        # Scrapy's default start of 5 s would make a 0-delay test crawl wait 5 s per page.
        AUTOTHROTTLE_START_DELAY=crawl.download_delay_seconds,
        DOWNLOAD_TIMEOUT=crawl.download_timeout_seconds,
        LOG_LEVEL=crawl.log_level,
        STARWATCH_SETTINGS=settings,
    )
    return scrapy_settings

"""Hand finished records to the next stage in batches.

Records are buffered and sent as ``sink(batch)`` with
``batch = {"reviews": [...], "mentions": [...], "snapshots": [...]}`` (each record as
``model_dump(mode="json")``) whenever ``settings.tasks.batch_size`` records are waiting, and once
more when the spider closes. The sink is the Scrapy setting ``STARWATCH_SINK``; when it is unset
the default is ``workers.dispatch.submit_batch(settings, batch)``, imported only then so the
crawler does not load the workers unless it needs them.

Being the last pipeline, the hand-off sees exactly the items Scrapy counts as scraped; it sets
Scrapy's ``item_scraped_count`` when the spider closes, since the core-stats extension of
``crawlers.settings`` does not listen to the per-item ``item_scraped`` signal
(``crawlers/extensions/core_stats.py``). If Scrapy's own ``CoreStats`` runs instead, both agree.

If the sink raises, the crawl stops with finish reason ``handoff_failed``, the error is logged
with its traceback and kept in the stat ``starwatch/handoff/error``, and the records that could
not be delivered are counted under ``starwatch/handoff/not_delivered/<kind>``. Nothing is dropped
silently; re-running the crawl collects the same records under the same ids.

Reads ``STARWATCH_SETTINGS`` (``tasks.batch_size``) and ``STARWATCH_SINK``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import load_object

from crawlers.errors import CrawlConfigError
from crawlers.sources import starwatch_settings_from
from search.documents import Mention, RatingSnapshot, Review

logger = logging.getLogger(__name__)

Sink = Callable[[dict], None]
FAILED_REASON = "handoff_failed"
_KINDS = {Review: "reviews", Mention: "mentions", RatingSnapshot: "snapshots"}


class SharedSink:
    """Carries one sink object through Scrapy's settings unchanged.

    Scrapy deep-copies settings for every crawler; a sink holding a broker connection or a lock
    must stay one object shared by all crawlers of the process, not one copy each.
    """

    def __init__(self, sink: Sink):
        self.sink = sink

    def __call__(self, batch: dict) -> None:
        self.sink(batch)

    def __deepcopy__(self, memo) -> "SharedSink":
        return self

    def __repr__(self) -> str:
        return f"SharedSink({self.sink!r})"


def default_sink(settings) -> Sink:
    """``workers.dispatch.submit_batch`` bound to these settings."""
    try:
        from workers.dispatch import submit_batch
    except ImportError as error:
        raise CrawlConfigError(
            f"cannot hand records to the workers ({error}); install the workers package "
            "or give the crawl a sink (STARWATCH_SINK, run_crawl(sink=...), or --output FILE)"
        ) from error
    return functools.partial(submit_batch, settings)


def sink_from(scrapy_settings, settings) -> Sink:
    """The configured sink: a callable, a dotted path to a function, or the workers' default."""
    sink = scrapy_settings.get("STARWATCH_SINK")
    if sink is None:
        return default_sink(settings)
    return load_object(sink) if isinstance(sink, str) else sink


class HandoffPipeline:
    def __init__(self, crawler, sink: Sink, batch_size: int):
        self.crawler = crawler
        self.stats = crawler.stats
        self.sink = sink
        self.batch_size = batch_size
        self.buffer: dict[str, list[dict]] = {kind: [] for kind in _KINDS.values()}
        self.failed = False
        self.scraped = 0  # every item reaching the last pipeline; a plain int, not a stats call per item

    @classmethod
    def from_crawler(cls, crawler):
        settings = starwatch_settings_from(crawler.settings)
        return cls(crawler, sink_from(crawler.settings, settings), settings.tasks.batch_size)

    def buffered(self) -> int:
        buffer = self.buffer  # asked after every record: spelt out rather than a generator
        return len(buffer["reviews"]) + len(buffer["mentions"]) + len(buffer["snapshots"])

    def process_item(self, item):
        self.scraped += 1
        kind = _KINDS.get(type(item))
        if kind is None:
            return item
        self.buffer[kind].append(item.model_dump(mode="json"))
        if self.failed:
            self._count_not_delivered()
        elif self.buffered() >= self.batch_size:
            self.flush()
        return item

    def close_spider(self):
        if self.scraped:  # like Scrapy's CoreStats: no item, no stat
            self.stats.set_value("item_scraped_count", self.scraped)
        if self.failed:
            self._count_not_delivered()
        elif self.buffered():
            self.flush()

    def flush(self) -> None:
        batch, self.buffer = self.buffer, {kind: [] for kind in _KINDS.values()}
        try:
            self.sink(batch)
        except Exception as error:  # any sink failure must stop the crawl and be reported
            self._fail(batch, error)
            return
        self.stats.inc_value("starwatch/handed_off/batches")
        for kind, records in batch.items():
            if records:
                self.stats.inc_value(f"starwatch/handed_off/{kind}", len(records))

    def _fail(self, batch: dict[str, list[dict]], error: Exception) -> None:
        self.failed = True
        self.buffer = batch
        self._count_not_delivered()
        message = f"{type(error).__name__}: {error}"
        self.stats.inc_value("starwatch/handoff/failed_batches")
        self.stats.set_value("starwatch/handoff/error", message)
        logger.error(
            "Handing records to the next stage failed (%s); stopping the crawl. Check the sink "
            "(the task queue, or the --output file), then run the crawl again: ids are stable, "
            "nothing is duplicated.",
            message, exc_info=error,
        )
        if self.crawler.crawling:  # not while a unit test drives the pipeline by hand
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=FAILED_REASON))

    def _count_not_delivered(self) -> None:
        for kind, records in self.buffer.items():
            if records:
                self.stats.inc_value(f"starwatch/handoff/not_delivered/{kind}", len(records))
        self.buffer = {kind: [] for kind in _KINDS.values()}

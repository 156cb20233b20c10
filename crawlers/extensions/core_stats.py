"""Scrapy's core stats, without a listener on ``item_scraped``.

Scrapy's ``CoreStats`` records the start and finish times, the finish reason, the responses and
the dropped items, and counts ``item_scraped_count`` by listening to the ``item_scraped`` signal.
Scrapy sends that signal once per item through ``asyncio.gather`` whenever anything listens, which
puts one asyncio task and a trip through the event loop on every review: in the crawl benchmark
(``benchmarks/crawl_throughput.py``) that cost about 0.15 ms of CPU per review, more than all of
starwatch's pipelines together. Nothing else listens in a starwatch crawl, so this extension keeps
every other core stat and leaves ``item_scraped`` without a listener; the hand-off pipeline, the
last one, sees exactly the scraped items and sets ``item_scraped_count`` when the spider closes.

A crawl that adds its own ``item_scraped`` listener (a feed export, ``CLOSESPIDER_ITEMCOUNT``)
still works; it pays the per-item task again. Enabled in place of Scrapy's ``CoreStats`` by
``EXTENSIONS`` in ``crawlers.settings``. No settings are read.
"""

from __future__ import annotations

from scrapy import signals
from scrapy.extensions.corestats import CoreStats


class CoreStatsExtension(CoreStats):
    """``CoreStats`` minus the ``item_scraped`` listener (see the module docstring)."""

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler.stats)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        return extension

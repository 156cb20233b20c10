"""Scrapy's core stats without the per-item ``item_scraped`` listener, and who counts items instead."""

from datetime import datetime, timezone

import scrapy
from crawler_support import make_settings
from pydispatch.dispatcher import getAllReceivers, liveReceivers
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.extension import ExtensionManager
from scrapy.utils.test import get_crawler

from crawlers.extensions.core_stats import CoreStatsExtension
from crawlers.pipelines.handoff import HandoffPipeline, SharedSink
from crawlers.settings import scrapy_settings_for
from crawlers.spiders.schema_org import SchemaOrgSpider
from search.documents import Review


def _discard(batch: dict) -> None:
    pass


def _listeners(crawler, signal) -> list:
    return list(liveReceivers(getAllReceivers(crawler.signals.sender, signal)))


def test_a_crawl_with_the_starwatch_settings_has_no_item_scraped_listener():
    crawler = get_crawler(SchemaOrgSpider, scrapy_settings_for(make_settings()))
    extensions = ExtensionManager.from_crawler(crawler)
    assert any(isinstance(extension, CoreStatsExtension) for extension in extensions.middlewares)
    assert _listeners(crawler, signals.item_scraped) == []  # Scrapy then skips the per-item task
    assert _listeners(crawler, signals.item_dropped) and _listeners(crawler, signals.spider_closed)


def test_every_other_core_stat_is_kept():
    crawler = get_crawler(scrapy.Spider)
    CoreStatsExtension.from_crawler(crawler)
    spider = scrapy.Spider.from_crawler(crawler, name="shop")
    crawler.signals.send_catch_log(signals.spider_opened, spider=spider)
    crawler.signals.send_catch_log(signals.response_received, spider=spider)
    crawler.signals.send_catch_log(signals.item_dropped, item={}, spider=spider, exception=DropItem("duplicate"))
    crawler.signals.send_catch_log(signals.spider_closed, spider=spider, reason="finished")
    stats = crawler.stats.get_stats()
    assert isinstance(stats["start_time"], datetime) and stats["finish_reason"] == "finished"
    assert (stats["response_received_count"], stats["item_dropped_count"]) == (1, 1)
    assert stats["item_dropped_reasons_count/DropItem"] == 1 and "elapsed_time_seconds" in stats


def test_the_hand_off_counts_the_scraped_items_at_close():
    crawler = get_crawler(settings_dict={"STARWATCH_SETTINGS": make_settings(), "STARWATCH_SINK": SharedSink(_discard)})
    pipeline = HandoffPipeline.from_crawler(crawler)
    for number in range(3):
        pipeline.process_item(Review(review_id=f"r_{number}", source="shop", platform="schema_org", entity_id="cafe",
                                     text="ok", published_at=datetime(2024, 3, 2, tzinfo=timezone.utc)))
    pipeline.process_item({"not": "a record"})  # passed on untouched, and scraped all the same
    pipeline.close_spider()
    assert crawler.stats.get_value("item_scraped_count") == 4


def test_no_item_no_count_as_with_scrapy():
    crawler = get_crawler(settings_dict={"STARWATCH_SETTINGS": make_settings(), "STARWATCH_SINK": SharedSink(_discard)})
    HandoffPipeline.from_crawler(crawler).close_spider()
    assert crawler.stats.get_value("item_scraped_count") is None

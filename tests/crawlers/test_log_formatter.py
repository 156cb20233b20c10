"""The crawl's log formatter skips exactly the messages LOG_LEVEL would drop anyway."""

import logging

import scrapy
from scrapy import Request
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from crawlers.log_formatter import LevelAwareLogFormatter, level_number
from crawlers.settings import base_settings

URL = "http://shop.test/reviews/page-1.html"


def _setup(level: str):
    crawler = get_crawler(scrapy.Spider, {"LOG_LEVEL": level, "DEFAULT_DROPITEM_LOG_LEVEL": "INFO"})
    spider = scrapy.Spider.from_crawler(crawler, name="shop")
    request = Request(URL)
    return LevelAwareLogFormatter.from_crawler(crawler), spider, HtmlResponse(URL, body=b"<html/>", request=request)


def test_above_debug_no_record_is_built_for_each_page_and_each_item():
    formatter, spider, response = _setup("INFO")
    assert formatter.crawled(response.request, response, spider) is None
    assert formatter.scraped({"review": 1}, response, spider) is None


def test_at_debug_every_message_is_what_scrapy_logs():
    formatter, spider, response = _setup("DEBUG")
    crawled = formatter.crawled(response.request, response, spider)
    assert crawled["level"] == logging.DEBUG and crawled["msg"].startswith("Crawled (")
    assert formatter.scraped({"review": 1}, response, spider)["msg"].startswith("Scraped from")


def test_a_dropped_item_keeps_its_level_and_is_skipped_only_below_log_level():
    formatter, spider, response = _setup("INFO")
    assert formatter.dropped({"review": 1}, DropItem("rating_negative"), response, spider)["level"] == logging.INFO
    assert formatter.dropped({"review": 1}, DropItem("duplicate", log_level="DEBUG"), response, spider) is None
    quiet, spider, response = _setup("WARNING")
    assert quiet.dropped({"review": 1}, DropItem("rating_negative"), response, spider) is None


def test_the_crawl_settings_use_it_and_an_unknown_level_hides_nothing():
    assert load_object(base_settings()["LOG_FORMATTER"]) is LevelAwareLogFormatter
    assert (level_number("warning"), level_number(logging.ERROR), level_number(None)) == (
        logging.WARNING, logging.ERROR, logging.DEBUG)
    assert level_number("LOUD") == logging.DEBUG

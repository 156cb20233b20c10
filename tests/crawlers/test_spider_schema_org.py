"""The spider's callbacks over the saved fixture pages (no network)."""

import pytest
from crawler_support import fixture_page, make_settings
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawlers.errors import CrawlConfigError
from crawlers.items import RawRatingSummary, RawReview
from crawlers.spiders.schema_org import SchemaOrgSpider

BASE = "http://shop.test/reviews/"


def _spider(max_pages: int = 10) -> SchemaOrgSpider:
    settings = make_settings([{"id": "shop", "url": BASE + "page-1.html", "max_pages": max_pages}])
    crawler = get_crawler(SchemaOrgSpider, {"STARWATCH_SETTINGS": settings})
    return SchemaOrgSpider.from_crawler(crawler, source_id="shop")


def _response(path: str) -> HtmlResponse:
    url = BASE + path
    return HtmlResponse(url, body=fixture_page("reviews/" + path), encoding="utf-8", request=Request(url))


def _split(results):
    results = list(results)
    return ([r for r in results if isinstance(r, RawReview)], [r for r in results if isinstance(r, RawRatingSummary)],
            [r for r in results if isinstance(r, Request)])


def test_the_spider_finds_its_source_and_stays_on_its_host():
    spider = _spider()
    assert (spider.source.id, spider.entity.id, spider.allowed_domains) == ("shop", "entity-shop", ["shop.test"])


async def _start_requests(spider):
    return [request async for request in spider.start()]


def test_the_crawl_starts_at_the_source_url():
    import asyncio

    (request,) = asyncio.run(_start_requests(_spider()))
    assert request.url == BASE + "page-1.html" and request.cb_kwargs == {"page_number": 1}


def test_the_first_page_gives_reviews_one_summary_and_the_next_page():
    spider = _spider()
    reviews, summaries, requests = _split(spider.parse_page(_response("page-1.html"), page_number=1))
    assert len(reviews) == 4 and len(summaries) == 1
    assert summaries[0].rating_value == "4,2" and summaries[0].review_count == "27"
    assert [r.url for r in requests] == [BASE + "page-2.html"] and requests[0].cb_kwargs == {"page_number": 2}
    first = reviews[0]
    assert (first.source_id, first.entity_id, first.platform) == ("shop", "entity-shop", "schema_org")
    assert first.url == BASE + "page-1.html" and first.language_hint == "en"
    assert reviews[1].language_hint == "fr"  # from <html lang>, the review says nothing
    assert spider.crawler.stats.get_value("starwatch/pages") == 1


def test_later_pages_give_no_summary():
    reviews, summaries, _ = _split(_spider().parse_page(_response("page-2.html"), page_number=2))
    assert len(reviews) == 3 and summaries == []


def test_a_broken_block_is_counted_and_the_valid_reviews_still_come():
    spider = _spider()
    reviews, _, requests = _split(spider.parse_page(_response("page-3.html"), page_number=3))
    assert len(reviews) == 6
    assert spider.crawler.stats.get_value("starwatch/page_errors/jsonld_invalid") == 1
    assert [r.url for r in requests] == ["http://shop.test/private/page-4.html"]  # robots.txt decides later


def test_pagination_stops_at_max_pages():
    spider = _spider(max_pages=1)
    _, _, requests = _split(spider.parse_page(_response("page-1.html"), page_number=1))
    assert requests == []
    assert spider.crawler.stats.get_value("starwatch/pagination/max_pages_reached") == 1


def test_a_page_without_aggregate_rating_is_counted():
    spider = _spider()
    response = HtmlResponse(BASE + "page-1.html", body=b"<html><body>rien</body></html>", encoding="utf-8")
    assert list(spider.parse_page(response, page_number=1)) == []
    assert spider.crawler.stats.get_value("starwatch/field/aggregate_rating/missing") == 1


def test_a_non_text_response_is_counted_not_parsed():
    spider = _spider()
    binary = Response(BASE + "logo.png", body=b"\x89PNG")
    assert list(spider.parse_page(binary, page_number=1)) == []
    assert spider.crawler.stats.get_value("starwatch/page_errors/not_html") == 1


def test_an_unknown_source_lists_the_known_ones():
    crawler = get_crawler(SchemaOrgSpider, {"STARWATCH_SETTINGS": make_settings()})
    with pytest.raises(CrawlConfigError, match=r"unknown source id 'nope' \(known: shop\)"):
        SchemaOrgSpider.from_crawler(crawler, source_id="nope")


def test_the_spider_needs_a_source_argument():
    with pytest.raises(CrawlConfigError, match="-a source_id="):
        SchemaOrgSpider()

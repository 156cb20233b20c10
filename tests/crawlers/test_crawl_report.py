from crawler_support import make_settings
from scrapy.crawler import Crawler

from crawlers.report import CrawlReport, SourceReport, errors_from, source_report
from crawlers.sources import configured_sources
from crawlers.spiders.schema_org import SchemaOrgSpider

CLEAN = {"finish_reason": "finished", "starwatch/pages": 3, "starwatch/handed_off/reviews": 9}


def test_a_clean_crawl_has_no_errors():
    assert errors_from(CLEAN) == []


def test_a_handoff_failure_is_reported_with_what_was_not_delivered():
    stats = {**CLEAN, "finish_reason": "handoff_failed", "starwatch/handoff/error": "ConnectionError: refused",
             "starwatch/handoff/not_delivered/reviews": 4}
    assert errors_from(stats) == [
        "handing records to the next stage failed: ConnectionError: refused",
        "records not delivered (re-run the crawl): {'reviews': 4}",
    ]


def test_a_source_that_yielded_no_page_is_an_error():
    stats = {"finish_reason": "finished", "starwatch/request_errors": 1,
             "starwatch/request_error_example": "http://shop.test/: 404"}
    assert errors_from(stats) == [
        "no page was parsed; check the source URL and robots.txt",
        "1 request(s) failed, e.g. http://shop.test/: 404",
    ]


def test_blocked_addresses_and_early_ends_are_errors():
    errors = errors_from({**CLEAN, "starwatch/blocked/address": 2, "finish_reason": "shutdown"})
    assert errors == ["2 request(s) refused by the address policy (private or loopback address)",
                      "crawl ended early: shutdown"]


def test_a_crawl_that_could_not_start_says_why():
    assert errors_from({}, "ValueError: bad") == ["crawl could not start: ValueError: bad"]


def test_a_source_never_started_is_reported_not_crawled():
    settings = make_settings()
    (configured,) = configured_sources(settings)
    report = source_report(configured, Crawler(SchemaOrgSpider, {"STARWATCH_SETTINGS": settings}))
    assert (report.source_id, report.pages, report.finish_reason) == ("shop", 0, None)
    assert report.errors == ["not crawled: the run was stopped before this source's turn"]


def test_totals_add_up_over_sources():
    first = SourceReport("a", "e", "http://a.test/", pages=3, reviews_collected=9, snapshots=1, dropped={"duplicate": 1})
    second = SourceReport("b", "e", "http://b.test/", pages=1, reviews_collected=4, snapshots=1,
                          dropped={"duplicate": 2, "rating_negative": 1}, errors=["crawl ended early: shutdown"])
    report = CrawlReport([first, second])
    assert (report.pages, report.reviews_collected, report.snapshots) == (4, 13, 2)
    assert report.dropped == {"duplicate": 3, "rating_negative": 1}
    assert report.errors == ["b: crawl ended early: shutdown"]


def test_the_crawl_is_ok_only_when_every_source_is():
    good, bad = SourceReport("a", "e", "http://a.test/"), SourceReport("b", "e", "http://b.test/", errors=["x"])
    assert CrawlReport([good]).ok and not CrawlReport([good, bad]).ok
    assert CrawlReport([good, bad]).source("b") is bad

"""Base spider for sites that publish reviews as schema.org JSON-LD or microdata.

Takes the spider argument ``source_id``, finds that source and its entity in the starwatch
settings (``STARWATCH_SETTINGS``), crawls from ``source.url`` and follows ``rel="next"`` links up
to ``source.max_pages``, staying on the source's host. Yields one ``RawReview`` per review and one
``RawRatingSummary`` per crawl (the first page's aggregate rating). Extraction itself is the pure
``crawlers.parsers.schema_org``; subclasses for particular platforms override ``review_item`` or
``summary_item`` when a site bends the vocabulary.

Stats: ``starwatch/pages``, ``starwatch/page_errors/<code>``, ``starwatch/request_errors``,
``starwatch/request_error_example``,
``starwatch/pagination/max_pages_reached``, ``starwatch/field/aggregate_rating/missing``.
"""

from __future__ import annotations

from urllib.parse import urlparse

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse

from crawlers.errors import CrawlConfigError
from crawlers.items import RawRatingSummary, RawReview
from crawlers.parsers.schema_org import extract_schema_org, flatten_aggregate, flatten_review
from crawlers.sources import find_source, starwatch_settings_from


class SchemaOrgReviewSpider(scrapy.Spider):
    platform = "schema_org"

    def __init__(self, source_id: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not source_id:
            raise CrawlConfigError(f"spider {self.name!r} needs a source: pass -a source_id=<id>")
        self.source_id = source_id

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        configured = find_source(starwatch_settings_from(crawler.settings), spider.source_id)
        if configured.source.type != cls.platform:
            raise CrawlConfigError(
                f"source {spider.source_id!r} has type {configured.source.type!r}; "
                f"spider {cls.name!r} crawls {cls.platform!r} sources"
            )
        spider.entity, spider.source = configured.entity, configured.source
        spider.allowed_domains = [urlparse(configured.source.url).hostname]
        return spider

    async def start(self):
        yield scrapy.Request(
            self.source.url, callback=self.parse_page, errback=self.on_request_error, cb_kwargs={"page_number": 1}
        )

    def parse_page(self, response, page_number: int):
        stats = self.crawler.stats
        stats.inc_value("starwatch/pages")
        if not isinstance(response, TextResponse):
            stats.inc_value("starwatch/page_errors/not_html")
            self.logger.warning("Page %s is not HTML (%s); nothing extracted", response.url, type(response).__name__)
            return
        page = extract_schema_org(response.body, response.url)
        for error in page.errors:
            stats.inc_value(f"starwatch/page_errors/{error.split(':', 1)[0]}")
            self.logger.warning("Page %s: %s", response.url, error)
        if page_number == 1:
            if page.aggregate is not None:
                yield self.summary_item(page.aggregate, response)
            else:
                stats.inc_value("starwatch/field/aggregate_rating/missing")
        for review in page.reviews:
            yield self.review_item(review, response, page.language)
        if page.next_url and page_number < self.source.max_pages:
            yield response.follow(
                page.next_url, callback=self.parse_page, errback=self.on_request_error,
                cb_kwargs={"page_number": page_number + 1},
            )
        elif page.next_url:
            stats.inc_value("starwatch/pagination/max_pages_reached")

    def review_item(self, review: dict, response, page_language: str | None) -> RawReview:
        fields = flatten_review(review)
        fields["url"] = response.urljoin(fields["url"]) if fields["url"] else response.url
        fields["language_hint"] = fields["language_hint"] or page_language
        return RawReview(source_id=self.source.id, entity_id=self.entity.id, platform=self.platform, **fields)

    def summary_item(self, aggregate: dict, response) -> RawRatingSummary:
        return RawRatingSummary(
            source_id=self.source.id, entity_id=self.entity.id, platform=self.platform,
            url=response.url, **flatten_aggregate(aggregate),
        )

    def on_request_error(self, failure):
        if failure.check(IgnoreRequest):
            # robots.txt or the address guard said no: a decision, counted by whoever made it
            self.logger.info("Not fetched: %s (%s)", failure.request.url, failure.getErrorMessage())
            return
        message = f"{failure.request.url}: {failure.getErrorMessage()}"
        self.crawler.stats.inc_value("starwatch/request_errors")
        self.crawler.stats.set_value("starwatch/request_error_example", message)
        self.logger.error("Request failed: %s", message)

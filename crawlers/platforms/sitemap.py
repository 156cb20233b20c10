"""Base spider for businesses with many product or location pages, found through their sitemap.

``source.url`` is a sitemap, a sitemap index or a ``robots.txt`` that names sitemaps (Scrapy's
``SitemapSpider`` reads all three, gzipped or not). Pages whose URL matches ``source.url_pattern``
(a regular expression; every page when unset) are read with the schema.org parser, one page per
location or product: its reviews, and its displayed rating as a snapshot with the page's URL.

Incremental: the sitemap's ``<lastmod>`` is the high-water mark. A page not modified since the
source's last crawl is skipped (``starwatch/sitemap/not_modified``) unless backfilling; at most
``source.max_pages`` pages are read per crawl (``backfill_max_pages`` when backfilling).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from scrapy.spiders import SitemapSpider

from crawlers.platforms.base import collected
from crawlers.platforms.schema_org import SchemaOrgReviewSpider


def _lastmod(entry: dict) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(entry.get("lastmod", "")).strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class SitemapReviewSpider(SitemapSpider, SchemaOrgReviewSpider):
    platform = "sitemap"

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.sitemap_urls = [spider.source.url]
        spider.page_pattern = re.compile(spider.source.url_pattern or "")
        spider.pages_planned = 0
        return spider

    def sitemap_filter(self, entries):
        stats = self.crawler.stats
        since = None if self.backfill else self.tracker.previous.last_crawl_at
        for entry in entries:
            location = str(entry.get("loc", ""))
            if location.endswith((".xml", ".xml.gz")):
                yield entry  # a sitemap index's child sitemap (pages are not .xml): always read
                continue
            if not self.page_pattern.search(location):
                continue
            modified = _lastmod(entry)
            if since is not None and modified is not None and modified <= since:
                stats.inc_value("starwatch/sitemap/not_modified")
                stats.inc_value("starwatch/listed")  # listed, and known: not an empty source
                self.tracker.note_cut_short("not_modified")
                continue
            if self.pages_planned >= self.page_limit:
                stats.inc_value("starwatch/pagination/max_pages_reached")
                self.tracker.note_cut_short("max_pages")
                continue
            self.pages_planned += 1
            yield entry

    def _parse_sitemap(self, response):
        # Scrapy's SitemapSpider builds its requests without an errback; attach ours so a page
        # that fails is counted like on every other platform. A sitemap read counts as a page.
        self.crawler.stats.inc_value("starwatch/pages")
        for request in super()._parse_sitemap(response):
            yield request.replace(errback=self.on_request_error)

    @collected
    def parse(self, response):
        yield from self.parse_page(response, page_number=1)

    def next_html_page(self, page, page_number: int, reviews: list):
        return None  # one page per product or location

"""``scrapy crawl sitemap -a source_id=<id>``: schema.org reviews on pages listed in a sitemap."""

from crawlers.platforms.sitemap import SitemapReviewSpider


class SitemapSpider(SitemapReviewSpider):
    name = "sitemap"

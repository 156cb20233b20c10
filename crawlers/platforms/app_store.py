"""Base spider for the Apple App Store: the public customer-reviews feed, per country.

For each of ``source.countries`` it reads the lookup answer (the displayed rating, one snapshot
per country) and the most-recent-first reviews feed, page by page up to the feed's 10 pages,
``source.max_pages`` and the incremental stop. ``source.url`` is the store's base URL
(``https://itunes.apple.com``), ``source.app_id`` the numeric app id. The feed has no language
field; the storefront country's main language is the hint (``fr`` for ``fr``, ``be``...).
Parsing is ``crawlers.parsers.app_store``.
"""

from __future__ import annotations

import scrapy

from crawlers.parsers.app_store import (
    MAX_FEED_PAGES, extract_app_store_feed, extract_app_store_lookup, feed_url, lookup_url,
)
from crawlers.platforms.base import ReviewSourceSpider, collected

COUNTRY_LANGUAGES = {"fr": "fr", "be": "fr", "ch": "fr", "ca": "en", "us": "en", "gb": "en", "au": "en", "ie": "en"}


class AppStoreReviewSpider(ReviewSourceSpider):
    platform = "app_store"

    async def start(self):
        for country in self.source.countries:
            country = country.lower()
            yield scrapy.Request(lookup_url(self.source.url, country, self.source.app_id), callback=self.parse_lookup,
                                 errback=self.on_request_error, cb_kwargs={"country": country})
            yield self.feed_request(country, 1)

    def feed_request(self, country: str, page_number: int) -> scrapy.Request:
        return scrapy.Request(feed_url(self.source.url, country, self.source.app_id, page_number),
                              callback=self.parse_feed, errback=self.on_request_error,
                              cb_kwargs={"country": country, "page_number": page_number})

    @collected
    def parse_lookup(self, response, country: str):
        summary = extract_app_store_lookup(self.json_body(response))
        if summary is None:
            self.crawler.stats.inc_value("starwatch/field/aggregate_rating/missing")
            return
        yield self.summary_item(url=response.url, **summary)

    @collected
    def parse_feed(self, response, country: str, page_number: int):
        data = self.json_body(response)
        page = extract_app_store_feed(data) if data is not None else None
        for error in page.errors if page else []:
            self.page_error(response, error)
        language = COUNTRY_LANGUAGES.get(country)
        reviews = [self.review_item(url=response.url, language_hint=language, **fields)
                   for fields in (page.reviews if page else [])]
        self.count_page(len(reviews))
        self.note_page_language(None, reviews)  # no page declaration: read from the reviews
        yield from reviews
        last = min(MAX_FEED_PAGES, page.last_page or MAX_FEED_PAGES) if page else page_number
        if page and page_number >= MAX_FEED_PAGES and reviews:
            self.tracker.note_cut_short("feed_limit")  # older reviews exist that the feed never shows
        if self.keep_paging(page_number, reviews, bool(reviews) and page_number < last):
            yield self.feed_request(country, page_number + 1)

"""Base spider for Google Play: the store's public reviews endpoint, newest first.

``source.url`` is the store's base URL (``https://play.google.com``), ``source.app_id`` the
package name, ``source.language`` the review language (``hl``, default ``en``) and the first of
``source.countries`` the store country (``gl``). The details page gives the displayed rating
(schema.org JSON-LD, read with ``crawlers.parsers.schema_org``); reviews come page by page from
the ``batchexecute`` endpoint with the continuation token of the previous page, within
``source.max_pages`` and the incremental stop. Parsing is ``crawlers.parsers.google_play``.
No maintained library fits: the ones on PyPI fetch with their own HTTP client, which would
bypass robots.txt, throttling and the address guard that every starwatch request goes through.
"""

from __future__ import annotations

import scrapy

from crawlers.parsers.google_play import details_url, extract_google_play_reviews, reviews_endpoint, reviews_form
from crawlers.parsers.schema_org import extract_schema_org, flatten_aggregate
from crawlers.platforms.base import ReviewSourceSpider, collected


class GooglePlayReviewSpider(ReviewSourceSpider):
    platform = "google_play"

    @property
    def language(self) -> str:
        return (self.source.language or "en").lower()

    @property
    def country(self) -> str:
        return (self.source.countries or ["us"])[0].lower()

    async def start(self):
        yield scrapy.Request(details_url(self.source.url, self.source.app_id, self.language, self.country),
                             callback=self.parse_details, errback=self.on_request_error)
        yield self.reviews_request(None, 1)

    def reviews_request(self, token: str | None, page_number: int) -> scrapy.FormRequest:
        return scrapy.FormRequest(
            reviews_endpoint(self.source.url, self.language, self.country),
            formdata=reviews_form(self.source.app_id, token), callback=self.parse_reviews,
            errback=self.on_request_error, cb_kwargs={"page_number": page_number}, dont_filter=True,
        )

    @collected
    def parse_details(self, response):
        page = extract_schema_org(response.body, response.url)
        if page.aggregate is None:
            self.crawler.stats.inc_value("starwatch/field/aggregate_rating/missing")
            return
        yield self.summary_item(url=response.url, **flatten_aggregate(page.aggregate))

    @collected
    def parse_reviews(self, response, page_number: int):
        page = extract_google_play_reviews(response.body)
        for error in page.errors:
            self.page_error(response, error)
        reviews = [self.review_item(url=response.urljoin(f"/store/apps/details?id={self.source.app_id}"),
                                    language_hint=self.language, **fields) for fields in page.reviews]
        self.count_page(len(reviews))
        self.note_page_language(None, reviews)  # no page declaration: read from the reviews
        yield from reviews
        if self.keep_paging(page_number, reviews, bool(reviews) and page.next_token is not None):
            yield self.reviews_request(page.next_token, page_number + 1)

"""Base spider for Trustpilot-style business pages: reviews in the page's ``__NEXT_DATA__`` JSON.

Starts at ``source.url`` (the business page, e.g. ``https://www.trustpilot.com/review/<domain>``)
and pages with the ``page`` query parameter up to the ``totalPages`` the page data announces,
within ``source.max_pages`` and the incremental stop of ``ReviewSourceSpider``. The first page's
``businessUnit`` gives the displayed TrustScore and review count (the rating snapshot).
Parsing is ``crawlers.parsers.trustpilot``.
"""

from __future__ import annotations

import scrapy
from w3lib.url import add_or_replace_parameter

from crawlers.parsers.trustpilot import extract_next_data_reviews
from crawlers.platforms.base import ReviewSourceSpider, collected


class TrustpilotReviewSpider(ReviewSourceSpider):
    platform = "trustpilot"

    async def start(self):
        yield self.page_request(self.source.url, 1)

    def page_request(self, url: str, page_number: int) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_page, errback=self.on_request_error,
                              cb_kwargs={"page_number": page_number}, dont_filter=page_number == 1)

    @collected
    def parse_page(self, response, page_number: int):
        page = extract_next_data_reviews(response.body)
        for error in page.errors:
            self.page_error(response, error)
        reviews = [
            self.review_item(url=response.urljoin(f"/reviews/{fields['external_id']}") if fields["external_id"]
                             else response.url, **fields)
            for fields in page.reviews
        ]
        self.count_page(len(reviews))
        self.note_page_language(None, reviews)  # no page declaration: read from the reviews
        if page_number == 1 and page.summary:
            yield self.summary_item(url=response.url, **page.summary)
        elif page_number == 1:
            self.crawler.stats.inc_value("starwatch/field/aggregate_rating/missing")
        yield from reviews
        has_next = bool(reviews) and page.total_pages is not None and page_number < page.total_pages
        if self.keep_paging(page_number, reviews, has_next):
            yield self.page_request(add_or_replace_parameter(self.source.url, "page", str(page_number + 1)),
                                    page_number + 1)

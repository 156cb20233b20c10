"""Base spider for sites that publish reviews as schema.org JSON-LD, microdata or RDFa.

Crawls from ``source.url`` and pages in one of three ways, chosen by the source's data:

- ``load_more_url`` (e.g. ``https://x/api/reviews?page={page}``): the first page is HTML, later
  pages come from a JSON "load more" endpoint (``crawlers.parsers.load_more``);
- ``page_url_pattern`` (e.g. ``https://x/avis?page={page}`` or ``...&start={offset}``): page N is
  the pattern filled in; a page without reviews, or a 404, ends the listing;
- otherwise the page's ``rel="next"`` link.

Yields one ``RawReview`` per review and one ``RawRatingSummary`` per crawl (the first page's
aggregate rating, from the DOM's aria-label when the markup has none). Paging limits and the
incremental stop are ``ReviewSourceSpider.keep_paging``; extraction is the pure
``crawlers.parsers.schema_org``. Subclasses for particular sites override ``review_from`` or
``summary_from`` when a site bends the vocabulary.

Every page is checked against the source's ``languages``, when it lists any
(``ReviewSourceSpider.note_page_language``). Stats (besides the base spider's):
``starwatch/field/aggregate_rating/missing``,
``starwatch/page_errors/not_html``.
"""

from __future__ import annotations

import scrapy
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from crawlers.items import RawReview
from crawlers.parsers.load_more import extract_load_more
from crawlers.parsers.schema_org import extract_schema_org, flatten_aggregate, flatten_review
from crawlers.platforms.base import ReviewSourceSpider, collected


def fill_pattern(pattern: str, page_number: int, offset: int) -> str:
    """``https://x/avis?page={page}&start={offset}`` with the numbers filled in."""
    return pattern.replace("{page}", str(page_number)).replace("{offset}", str(offset))


class SchemaOrgReviewSpider(ReviewSourceSpider):
    platform = "schema_org"

    async def start(self):
        self.listed_so_far = 0
        yield self.page_request(self.source.url, 1)

    def page_request(self, url: str, page_number: int, callback=None, errback=None) -> scrapy.Request:
        return scrapy.Request(
            url, callback=callback or self.parse_page, errback=errback or self.on_request_error,
            cb_kwargs={"page_number": page_number},
            dont_filter=page_number == 1,  # like Scrapy's start requests: a redirect loop then reaches the errback
        )

    # -- HTML pages -------------------------------------------------------------------------------

    @collected
    def parse_page(self, response, page_number: int):
        if not isinstance(response, TextResponse):
            self.count_page(0)
            self.page_error(response, f"not_html: the page is {type(response).__name__}, nothing extracted")
            return
        page = extract_schema_org(response.body, response.url)
        for error in page.errors:
            self.page_error(response, error)
        reviews = [self.review_from(review, response, page.language) for review in page.reviews]
        self.count_page(len(reviews))
        self.note_page_language(page.language, reviews)
        self.listed_so_far = getattr(self, "listed_so_far", 0) + len(reviews)
        if page_number == 1:
            if page.aggregate is not None:
                yield self.summary_from(page.aggregate, response)
            else:
                self.crawler.stats.inc_value("starwatch/field/aggregate_rating/missing")
        yield from reviews
        next_request = self.next_html_page(page, page_number, reviews)
        if self.keep_paging(page_number, reviews, next_request is not None):
            yield next_request

    def next_html_page(self, page, page_number: int, reviews: list) -> scrapy.Request | None:
        offset = getattr(self, "listed_so_far", len(reviews))
        if self.source.load_more_url:
            url = fill_pattern(self.source.load_more_url, page_number + 1, offset)
            return self.page_request(url, page_number + 1, self.parse_load_more, self.on_pattern_page_error)
        if self.source.page_url_pattern:
            if not reviews:
                return None
            url = fill_pattern(self.source.page_url_pattern, page_number + 1, offset)
            return self.page_request(url, page_number + 1, errback=self.on_pattern_page_error)
        return self.page_request(page.next_url, page_number + 1) if page.next_url else None

    # -- JSON "load more" pages -------------------------------------------------------------------

    @collected
    def parse_load_more(self, response, page_number: int):
        page = extract_load_more(response.body, response.url)
        for error in page.errors:
            self.page_error(response, error)
        reviews = [self.review_from(review, response, None) for review in page.reviews]
        self.count_page(len(reviews))
        self.note_page_language(None, reviews)
        self.listed_so_far = getattr(self, "listed_so_far", 0) + len(reviews)
        yield from reviews
        has_more = page.has_more if page.has_more is not None else bool(reviews)
        url = page.next_url or fill_pattern(self.source.load_more_url, page_number + 1, self.listed_so_far)
        if self.keep_paging(page_number, reviews, has_more and bool(reviews)):
            yield self.page_request(url, page_number + 1, self.parse_load_more, self.on_pattern_page_error)

    def on_pattern_page_error(self, failure):
        """A 404 past the last page of a URL pattern is the end of the listing, not a failure."""
        if failure.check(HttpError) and failure.value.response.status == 404:
            self.crawler.stats.inc_value("starwatch/pagination/end")
            self.tracker.note_end_of_listing()
            return
        self.on_request_error(failure)

    # -- records ----------------------------------------------------------------------------------

    def review_from(self, review: dict, response, page_language: str | None) -> RawReview:
        fields = flatten_review(review)
        fields["url"] = response.urljoin(fields["url"]) if fields["url"] else response.url
        fields["language_hint"] = fields["language_hint"] or page_language
        return self.review_item(**fields)

    def summary_from(self, aggregate: dict, response):
        return self.summary_item(url=response.url, **flatten_aggregate(aggregate))

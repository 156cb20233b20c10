"""``ReviewSourceSpider``: what every platform spider shares, so a platform only parses.

Takes the spider arguments ``source_id`` (a configured source) and ``backfill`` (walk the whole
history), finds the source and its entity in the starwatch settings (``STARWATCH_SETTINGS``),
checks that the source's type is the spider's platform and stays on the source's host.

Paging decisions live here: ``keep_paging`` stops at a page of already-known reviews (unless
backfill), at ``source.max_pages`` (``source.backfill_max_pages`` when backfilling), and tells
the crawl tracker (``crawlers.tracking``) whether the listing was walked to its end, which is
what deletion tracking needs. ``crawl_tracker`` is attached by the crawl-state extension; when
that is off (``starwatch extract``), a tracker without history stands in.

Stats: ``starwatch/pages``, ``starwatch/listed`` (entries found, before validation),
``starwatch/page_errors/<code>``, ``starwatch/request_errors``, ``starwatch/request_error_example``,
``starwatch/redirect_loops``, ``starwatch/pagination/{max_pages_reached,stopped_at_known,end}``,
``starwatch/pages/unexpected_language`` and ``starwatch/pages/unexpected_language/<code>`` (pages in a
language the source's ``languages`` does not list, see ``crawlers.page_language``; their reviews are kept).
"""

from __future__ import annotations

import functools
import json
from urllib.parse import urlparse

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from crawlers.errors import CrawlConfigError
from crawlers.items import RawRatingSummary, RawReview
from crawlers.page_language import unexpected_language
from crawlers.parsers.text import clean_text
from crawlers.sources import find_source, starwatch_settings_from
from crawlers.tracking import CrawlTracker, listing_key

_TRUE = {"1", "true", "yes", "on"}


def collected(callback):
    """Make a generator callback return a list.

    Scrapy re-reads the source of every *generator* callback on every response to warn about
    ``return`` values (``warn_on_generator_with_return_value``): about 8 ms a page for our
    callbacks, more than the parsing itself. A callback returning a list skips that check.
    """

    @functools.wraps(callback)
    def run(*args, **kwargs) -> list:
        return list(callback(*args, **kwargs))

    return run


class ReviewSourceSpider(scrapy.Spider):
    platform = "base"  # the source type this spider crawls; concrete platforms override it

    def __init__(self, source_id: str | None = None, backfill: bool | str = False, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not source_id:
            raise CrawlConfigError(f"spider {self.name!r} needs a source: pass -a source_id=<id>")
        self.source_id = source_id
        self.backfill = backfill if isinstance(backfill, bool) else str(backfill).strip().lower() in _TRUE

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

    # -- history ----------------------------------------------------------------------------------

    @property
    def tracker(self) -> CrawlTracker:
        tracker = getattr(self, "crawl_tracker", None)
        if tracker is None:  # no crawl-state extension: a crawl without history
            tracker = self.crawl_tracker = CrawlTracker(self.source.id, self.entity.id, None, self.backfill)
        return tracker

    @property
    def page_limit(self) -> int:
        return self.source.backfill_max_pages if self.backfill else self.source.max_pages

    def keep_paging(self, page_number: int, entries: list, has_next: bool) -> bool:
        """Whether to fetch the page after ``page_number``; records why paging stops.

        :param entries: the page's raw reviews (or mentions), each with a ``listing_key``.
        """
        stats = self.crawler.stats
        known_page = self.tracker.page_is_known([entry.listing_key for entry in entries])
        if not has_next:
            stats.inc_value("starwatch/pagination/end")
            self.tracker.note_end_of_listing()
            return False
        if known_page:
            stats.inc_value("starwatch/pagination/stopped_at_known")
            self.tracker.note_cut_short("known_page")
            return False
        if page_number >= self.page_limit:
            stats.inc_value("starwatch/pagination/max_pages_reached")
            self.tracker.note_cut_short("max_pages")
            return False
        return True

    # -- items ------------------------------------------------------------------------------------

    def count_page(self, listed: int) -> None:
        self.crawler.stats.inc_value("starwatch/pages")
        self.crawler.stats.inc_value("starwatch/listed", listed)

    def note_page_language(self, declared: str | None, reviews: list[RawReview]) -> None:
        """Count the page if the source lists its languages and the page is in another one.

        :param declared: the page's ``<html lang>``, None when it has none (then the reviews' text is read).
        """
        if not self.source.languages:  # the usual case: no check, nothing detected
            return
        language = unexpected_language(self.source.languages, declared, [clean_text(r.text) for r in reviews])
        if language:
            self.crawler.stats.inc_value("starwatch/pages/unexpected_language")
            self.crawler.stats.inc_value(f"starwatch/pages/unexpected_language/{language}")

    def review_item(self, **fields) -> RawReview:
        review = RawReview(source_id=self.source.id, entity_id=self.entity.id, platform=self.platform, **fields)
        review.listing_key = listing_key(review.external_id, review.author_name, review.text)
        return review

    def summary_item(self, **fields) -> RawRatingSummary:
        return RawRatingSummary(source_id=self.source.id, entity_id=self.entity.id, platform=self.platform, **fields)

    def page_error(self, response, error: str) -> None:
        self.crawler.stats.inc_value(f"starwatch/page_errors/{error.split(':', 1)[0]}")
        self.logger.warning("Page %s: %s", response.url, error)

    def json_body(self, response) -> object | None:
        """The decoded JSON of an API answer; None (counted as ``json_invalid``) when it is not JSON."""
        try:
            return json.loads(response.body, strict=False)
        except (ValueError, UnicodeDecodeError) as exc:
            self.page_error(response, f"json_invalid: the answer is not JSON ({exc})")
            return None

    # -- failures ---------------------------------------------------------------------------------

    def on_request_error(self, failure):
        stats = self.crawler.stats
        message = f"{failure.request.url}: {failure.getErrorMessage() or failure.type.__name__}"
        if failure.check(HttpError):  # a subclass of IgnoreRequest, but a failure of the site
            message = f"{failure.request.url}: HTTP {failure.value.response.status}"
        elif failure.check(IgnoreRequest) and "redirect" not in failure.getErrorMessage():
            # robots.txt or the address guard said no: a decision, counted by whoever made it
            self.logger.info("Not fetched: %s", message)
            return
        elif failure.check(IgnoreRequest):
            stats.inc_value("starwatch/redirect_loops")
            message += " (a redirect loop, or more than REDIRECT_MAX_TIMES redirects)"
        self.tracker.note_cut_short("request_failed")
        stats.inc_value("starwatch/request_errors")
        stats.set_value("starwatch/request_error_example", message)
        self.logger.error("Request failed: %s", message)

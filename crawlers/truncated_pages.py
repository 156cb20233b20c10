"""Downloader middleware that keeps the part of a page that arrived when a transfer is cut short.

A server that announces more bytes than it sends (a dropped connection, a proxy timing out) used
to fail the whole request, and with it every review already received. With
``DOWNLOAD_FAIL_ON_DATALOSS = False`` Scrapy hands the spider what arrived, flagged
``dataloss``; this middleware makes that visible: it counts ``starwatch/page_errors/truncated``
(so crawl health reports "pages could not be fully read"), logs the URL, and marks the listing
incomplete, so a half-read page never lets the crawl history count missing reviews as deleted.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

TRUNCATED_STAT = "starwatch/page_errors/truncated"


class TruncatedPageMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        if "dataloss" in response.flags:
            self.crawler.stats.inc_value(TRUNCATED_STAT)
            logger.warning("Page %s was cut short by the server (%d bytes arrived, fewer than announced); "
                           "keeping what arrived, the listing counts as incomplete", response.url, len(response.body))
            tracker = getattr(self.crawler.spider, "tracker", None)
            if tracker is not None:
                tracker.note_cut_short("truncated_page")
        return response

"""Downloader middleware that keeps every request of a crawl on public addresses.

The runner checks configured source URLs before starting; this middleware covers what happens
afterwards: a redirect or next-page link to a literal private address is refused before it is
sent, and a response whose peer address (``response.ip_address``) is private, because a public
host name resolved to an internal address, is discarded before any spider sees it.
Counts ``starwatch/blocked/address``. Reads ``settings.crawl.allow_loopback`` through
``STARWATCH_SETTINGS``; ``STARWATCH_ADDRESS_GUARD_ENABLED = False`` switches it off.
"""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawlers.address_policy import literal_address, address_refusal, host_refusal
from crawlers.sources import starwatch_settings_from

logger = logging.getLogger(__name__)

BLOCKED_STAT = "starwatch/blocked/address"


class AddressGuardMiddleware:
    def __init__(self, crawler, allow_loopback: bool):
        self.crawler = crawler
        self.allow_loopback = allow_loopback

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("STARWATCH_ADDRESS_GUARD_ENABLED", True):
            raise NotConfigured("STARWATCH_ADDRESS_GUARD_ENABLED is off")
        settings = starwatch_settings_from(crawler.settings)
        return cls(crawler, settings.crawl.allow_loopback)

    def _block(self, url: str, reason: str) -> None:
        self.crawler.stats.inc_value(BLOCKED_STAT)
        logger.warning("Refused %s: %s", url, reason)
        raise IgnoreRequest(f"refused {url}: {reason}")

    def process_request(self, request):
        reason = host_refusal(urlparse(request.url).hostname, self.allow_loopback)
        if reason:
            self._block(request.url, reason)
        return None

    def process_response(self, request, response):
        peer = getattr(response, "ip_address", None)
        address = literal_address(str(peer)) if peer is not None else None
        reason = address_refusal(address, self.allow_loopback) if address is not None else None
        if reason:
            self._block(response.url, f"the host resolved to {reason}")
        return response

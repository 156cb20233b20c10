"""Fetch one page politely, outside a crawl: what ``starwatch extract URL`` reads.

A single page does not justify starting Scrapy's reactor, but it gets the same rules as a crawl:
the address policy (``crawlers.address_policy``, also on every redirect), robots.txt (read with
Protego, Scrapy's own parser) when ``crawl.obey_robots_txt``, the configured User-Agent and
timeout, and the crawl's size cap. Reads ``settings.crawl.*``.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlparse

from protego import Protego

from crawlers.address_policy import check_source_url, host_refusal
from crawlers.errors import CrawlConfigError
from crawlers.settings import DOWNLOAD_MAXSIZE


class FetchError(CrawlConfigError):
    """The page cannot be fetched; the message says why and what to check."""


@dataclass
class FetchedPage:
    url: str
    body: bytes
    content_type: str | None


class _GuardedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, allow_loopback: bool):
        self.allow_loopback = allow_loopback

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        reason = host_refusal(urlparse(newurl).hostname, self.allow_loopback)
        if reason:
            raise FetchError(f"{req.full_url} redirects to {newurl}, which is refused: {reason}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _open(url: str, settings, limit: int) -> tuple[str, bytes, str | None]:
    opener = urllib.request.build_opener(_GuardedRedirects(settings.crawl.allow_loopback))
    request = urllib.request.Request(url, headers={"User-Agent": settings.crawl.user_agent})
    try:
        with opener.open(request, timeout=settings.crawl.download_timeout_seconds) as response:
            body = response.read(limit + 1)
            return response.geturl(), body, response.headers.get("Content-Type")
    except urllib.error.HTTPError as error:
        raise FetchError(f"{url} answered HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise FetchError(f"{url} cannot be fetched ({reason}); check the URL and the network") from None


def _robots_allow(url: str, settings) -> bool:
    parsed = urlparse(url)
    robots_url = f"{parsed.scheme}://{parsed.netloc}/robots.txt"
    try:
        _final, body, _type = _open(robots_url, settings, 512 * 1024)
    except FetchError:
        return True  # no robots.txt (404) or none reachable: nothing forbids, as in Scrapy
    return Protego.parse(body.decode("utf-8", "replace")).can_fetch(url, settings.crawl.user_agent)


def fetch_page(url: str, settings) -> FetchedPage:
    """The page at ``url``, fetched as a crawl would; ``FetchError`` when that is not allowed.

    :param url: an http(s) URL.
    :param settings: starwatch settings (``crawl.allow_loopback``, ``user_agent``, timeouts).
    """
    check_source_url("extract", url, settings.crawl.allow_loopback)
    if settings.crawl.obey_robots_txt and not _robots_allow(url, settings):
        raise FetchError(f"robots.txt of {urlparse(url).netloc} forbids {url}; starwatch does not read it")
    final_url, body, content_type = _open(url, settings, DOWNLOAD_MAXSIZE)
    if len(body) > DOWNLOAD_MAXSIZE:
        raise FetchError(f"{url} is larger than {DOWNLOAD_MAXSIZE // (1024 * 1024)} MB; a review page never is")
    return FetchedPage(final_url, body, content_type)

"""``starwatch extract URL|FILE``: what the spiders would collect from one page, and why not more.

Like ``scrapy parse``: the page (fetched politely by ``crawlers.fetch``, or read from a file)
goes through the platform spider's own callback and then the real item pipelines (validate,
normalize, fingerprint, dedupe), so what is shown is exactly what a crawl would hand off: the
reviews, the rating snapshot and the mentions, each drop with its reason, the page problems the
spider counted and the next page it would follow. Nothing is stored or sent anywhere.

The platform is guessed from the content (``__NEXT_DATA__`` → ``trustpilot``, ``)]}'`` →
``google_play``, an App Store ``feed`` JSON → ``app_store``, RSS/Atom → ``feed``, else
``schema_org``) unless given. Feed entries are matched against ``--entity``'s names and
aliases when given. Reads ``settings.crawl.*`` (fetching) and ``entities`` (for ``--entity``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from scrapy import Request
from scrapy.exceptions import DropItem
from scrapy.responsetypes import responsetypes

from config import Settings
from crawlers.errors import CrawlConfigError
from crawlers.fetch import fetch_page
from crawlers.pipelines.dedupe import DropDuplicatesPipeline
from crawlers.pipelines.fingerprint import FingerprintPipeline
from crawlers.pipelines.normalize import NormalizeReviewPipeline
from crawlers.pipelines.validate import ValidateReviewPipeline
from search.documents import Entity, Mention, RatingSnapshot, Review, Source

PLATFORMS = ("schema_org", "trustpilot", "app_store", "google_play", "feed")
EXTRACT_SALT = "starwatch-extract"  # names are hashed for display only; nothing is stored


class ExtractionError(CrawlConfigError):
    """The page cannot be extracted as asked; the message says how to fix the call."""


@dataclass
class Extraction:
    """What one page yields, as a crawl would hand it off, and what was lost on the way."""

    url: str
    platform: str
    reviews: list[Review] = field(default_factory=list)
    snapshots: list[RatingSnapshot] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    page_problems: dict[str, int] = field(default_factory=dict)
    next_pages: list[str] = field(default_factory=list)


class _Stats(dict):
    """The part of Scrapy's stats collector that spiders and pipelines use."""

    def inc_value(self, key, count=1, start=0):
        self[key] = self.get(key, start) + count

    def set_value(self, key, value):
        self[key] = value

    def get_value(self, key, default=None):
        return self.get(key, default)

    def get_stats(self):
        return dict(self)


def guess_platform(body: bytes) -> str:
    head = body[:4096].lstrip().lower()
    if b"__next_data__" in body.lower():
        return "trustpilot"
    if head.startswith(b")]}'"):
        return "google_play"
    if head.startswith(b"{") and b'"feed"' in head:
        return "app_store"
    if head.startswith(b"<?xml") or b"<rss" in head or b"<feed" in head:
        return "feed"
    return "schema_org"


def _read(target: str, settings: Settings) -> tuple[str, bytes]:
    if target.startswith(("http://", "https://")):
        page = fetch_page(target, settings)
        return page.url, page.body
    path = Path(target)
    if not path.is_file():
        raise ExtractionError(f"{target} is neither an http(s) URL nor a readable file")
    return path.resolve().as_uri(), path.read_bytes()


def _spider_for(platform: str, url: str, entity: Entity | None, stats: _Stats):
    from scrapy.spiderloader import SpiderLoader
    from scrapy.settings import Settings as ScrapySettings

    loader = SpiderLoader.from_settings(ScrapySettings({"SPIDER_MODULES": ["crawlers.spiders"]}))
    spider = loader.load(platform)(source_id="extract")
    http_url = url if url.startswith("http") else "http://extract.invalid/"
    spider.source = Source(id="extract", type=platform, url=http_url, app_id="extract", max_pages=10_000)
    spider.entity = entity or Entity(id="extract", name="(no entity given: pass --entity ID)")
    spider.crawler = SimpleNamespace(stats=stats, spider=spider)
    return spider


def _callback(spider, platform: str, response):
    if platform == "app_store":
        return spider.parse_feed(response, country="us", page_number=1)
    if platform == "google_play" and not response.body.lstrip().startswith(b")]}'"):
        return spider.parse_details(response)
    if platform == "google_play":
        return spider.parse_reviews(response, page_number=1)
    return spider.parse_page(response, page_number=1)


def _run_pipelines(items: list, stats: _Stats, extraction: Extraction) -> None:
    pipelines = [ValidateReviewPipeline(stats), NormalizeReviewPipeline(EXTRACT_SALT),
                 FingerprintPipeline(stats), DropDuplicatesPipeline(stats)]
    for item in items:
        try:
            for pipeline in pipelines:
                item = pipeline.process_item(item)
        except DropItem as drop:
            extraction.dropped.append(str(drop))
            continue
        bucket = {Review: extraction.reviews, Mention: extraction.mentions, RatingSnapshot: extraction.snapshots}
        bucket[type(item)].append(item)


def extract_page(settings: Settings, target: str, platform: str | None = None,
                 entity_id: str | None = None) -> Extraction:
    """What the spiders would extract from one page (a URL or a file).

    :param target: an http(s) URL (fetched like a crawl would) or a saved page.
    :param platform: one of ``PLATFORMS``; guessed from the content when None.
    :param entity_id: a configured entity whose names feed entries are matched against.

    Example::

        result = extract_page(load_settings(), "tests/fixtures/sites/schema_org_shop/reviews/page-1.html")
        [review.rating for review in result.reviews], result.dropped
    """
    if platform is not None and platform not in PLATFORMS:
        raise ExtractionError(f"unknown platform {platform!r}; use one of {', '.join(PLATFORMS)}")
    entity = settings.entity(entity_id) if entity_id else None
    url, body = _read(target, settings)
    platform = platform or guess_platform(body)
    stats = _Stats()
    spider = _spider_for(platform, url, entity, stats)
    response = responsetypes.from_args(url=url, body=body)(url=url, body=body, request=Request(url))
    outputs = list(_callback(spider, platform, response) or [])
    extraction = Extraction(url=url, platform=platform)
    extraction.next_pages = [output.url for output in outputs if isinstance(output, Request)]
    _run_pipelines([o for o in outputs if not isinstance(o, Request)], stats, extraction)
    extraction.page_problems = _problems(stats)
    return extraction


def _problems(stats: dict[str, Any]) -> dict[str, int]:
    prefixes = ("starwatch/page_errors/", "starwatch/field/", "starwatch/feed/")
    return {key.removeprefix("starwatch/"): value for key, value in sorted(stats.items())
            if key.startswith(prefixes)}

"""The crawling half of ``benchmarks/crawl_throughput.py``: both spiders in one Scrapy process.

Kept apart so the benchmark script stays about the site and the figures. One ``CrawlerProcess``
(Twisted's reactor runs once per process) runs the phases one after the other; in a phase every
listing has its own crawler and all of them run at once.
"""

from __future__ import annotations

import time
from pathlib import Path

import scrapy
from twisted.internet.defer import DeferredList, inlineCallbacks

from config.settings import Settings
from crawlers.pipelines.handoff import SharedSink
from crawlers.settings import scrapy_settings_for
from crawlers.sources import find_source, starwatch_settings_from
from crawlers.spiders.schema_org import SchemaOrgSpider

PHASES = ("bare", "starwatch")


class BareSpider(scrapy.Spider):
    """Downloads a listing's pages by following ``rel="next"``, and does nothing else."""

    name = "bare"
    custom_settings = {
        "ITEM_PIPELINES": {},
        # Scrapy's own default; starwatch lowers it to 8 (crawlers/settings.py). --same-items gives
        # the bare spider starwatch's value too, which speeds it up as much as it does starwatch.
        "CONCURRENT_ITEMS": 100,
        "EXTENSIONS": {"crawlers.extensions.crawl_state.CrawlStateExtension": None,
                       "crawlers.extensions.crawl_health.CrawlHealthExtension": None},
    }

    def __init__(self, source_id: str, backfill: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.source_id = source_id

    async def start(self):
        source = find_source(starwatch_settings_from(self.crawler.settings), self.source_id).source
        yield scrapy.Request(source.url, callback=self.parse, dont_filter=True)

    def parse(self, response):
        self.crawler.stats.inc_value("starwatch/pages")
        next_url = response.xpath('//link[@rel="next"]/@href').get()
        if next_url:
            yield response.follow(next_url, callback=self.parse)


class CountingSink:
    def __init__(self):
        self.reviews = 0

    def __call__(self, batch: dict) -> None:
        self.reviews += len(batch["reviews"])


def benchmark_settings(base_url: str, listings: int, pages: int, workdir: Path) -> Settings:
    return Settings(
        crawl={"download_delay_seconds": 0, "allow_loopback": True, "log_level": "WARNING"},
        store={"backend": "sqlite", "sqlite_path": str(workdir / "bench.sqlite")},
        privacy={"author_salt": "benchmark-salt"},
        tasks={"batch_size": 200},
        entities=[{"id": f"commerce-{n}", "name": f"Commerce {n}", "sources": [
            {"id": f"l{n}", "type": "schema_org", "url": f"{base_url}/l{n}/page-1.html", "max_pages": pages,
             "backfill_max_pages": pages}]} for n in range(listings)],
    )


def run_phases(base_url: str, listings: int, pages: int, workdir: Path, rounds: int = 3,
               same_items: bool = False) -> list[dict]:
    """One result per phase, alternating bare and starwatch, ``rounds`` times."""
    from scrapy.crawler import CrawlerProcess

    if same_items:
        BareSpider.custom_settings = {**BareSpider.custom_settings, "CONCURRENT_ITEMS": None}
        del BareSpider.custom_settings["CONCURRENT_ITEMS"]
    from scrapy.settings.default_settings import TWISTED_REACTOR
    from scrapy.utils.reactor import install_reactor

    scrapy_settings_reactor = TWISTED_REACTOR

    sink = CountingSink()
    scrapy_settings = scrapy_settings_for(benchmark_settings(base_url, listings, pages, workdir))
    scrapy_settings["STARWATCH_SINK"] = SharedSink(sink)
    scrapy_settings["AUTOTHROTTLE_ENABLED"] = False
    scrapy_settings.setdefault("TWISTED_REACTOR", scrapy_settings_reactor)
    process = CrawlerProcess(scrapy_settings)
    install_reactor(scrapy_settings["TWISTED_REACTOR"])  # before anything imports a default reactor
    results: list[dict] = []

    @inlineCallbacks
    def phases():
        from twisted.internet import reactor

        for name in PHASES * rounds:
            spider = BareSpider if name == "bare" else SchemaOrgSpider
            crawlers = [process.create_crawler(spider) for _ in range(listings)]
            reviews_before, started = sink.reviews, time.perf_counter()
            # backfill: every phase walks every page even though an earlier phase saw them
            outcomes = yield DeferredList([process.crawl(c, source_id=f"l{n}", backfill=True)
                                           for n, c in enumerate(crawlers)], consumeErrors=True)
            for ok, failure in outcomes:
                if not ok:
                    print(f"  a {name} crawler failed: {failure.getErrorMessage()}", flush=True)
            seconds = time.perf_counter() - started
            crawled = sum(c.stats.get_value("starwatch/pages", 0) for c in crawlers)
            results.append({"spider": name, "pages": crawled, "seconds": seconds, "rate": crawled / seconds,
                            "reviews": sink.reviews - reviews_before})
            print(f"  phase {name}: {crawled} pages in {seconds:.2f} s = {crawled / seconds:.0f} pages/s", flush=True)
        reactor.stop()

    from twisted.internet import reactor

    reactor.callWhenRunning(phases)
    process.start(stop_after_crawl=False)
    return results

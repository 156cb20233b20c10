"""The crawling half of ``benchmarks/crawl_throughput.py``: both spiders in one Scrapy process.

Kept apart so the benchmark script stays about the site and the figures. One ``CrawlerProcess``
(Twisted's reactor runs once per process) runs the phases one after the other; in a phase every
listing has its own crawler and all of them run at once.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path

import scrapy
from twisted.internet.defer import DeferredList, inlineCallbacks

from config.settings import Settings
from crawlers.pipelines.handoff import SharedSink
from crawlers.settings import base_settings, scrapy_settings_for
from crawlers.sources import find_source, starwatch_settings_from
from crawlers.spiders.schema_org import SchemaOrgSpider

PHASES = ("bare", "starwatch")


class BareSpider(scrapy.Spider):
    """Downloads a listing's pages by following ``rel="next"``, and does nothing else.

    It runs under exactly the Scrapy settings the starwatch spider gets (``crawlers.settings``:
    concurrency, ``CONCURRENT_ITEMS``, log formatter, middlewares...), minus starwatch's own item
    pipelines and extensions, which are what is measured.
    """

    name = "bare"
    # crawlers.settings' EXTENSIONS minus starwatch's own two (a spider's setting replaces the whole
    # dict, so the others are copied in, the core-stats replacement among them)
    custom_settings = {
        "ITEM_PIPELINES": {},
        "EXTENSIONS": {**base_settings()["EXTENSIONS"],
                       "crawlers.extensions.crawl_state.CrawlStateExtension": None,
                       "crawlers.extensions.crawl_health.CrawlHealthExtension": None},
    }

    def __init__(self, source_id: str, backfill: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.source_id = source_id
        self.page_limit = 0

    async def start(self):
        source = find_source(starwatch_settings_from(self.crawler.settings), self.source_id).source
        self.page_limit = source.backfill_max_pages  # starwatch's limit when backfilling, as here
        yield scrapy.Request(source.url, callback=self.parse, dont_filter=True)

    def parse(self, response):
        self.crawler.stats.inc_value("starwatch/pages")
        next_url = response.xpath('//link[@rel="next"]/@href').get()
        if next_url and self.crawler.stats.get_value("starwatch/pages") < self.page_limit:
            yield response.follow(next_url, callback=self.parse)


class CountingSink:
    def __init__(self):
        self.reviews = 0

    def __call__(self, batch: dict) -> None:
        self.reviews += len(batch["reviews"])


class GcMeter:
    """Sums the garbage collector's pauses and counts its collections per generation.

    Hooked on ``gc.callbacks`` for the whole run; a phase reads the difference of two ``snapshot()``.
    A full (generation 2) collection walks every tracked object of the process, so its cost grows
    with what the crawl keeps alive.
    """

    def __init__(self):
        self.seconds = 0.0
        self.collections = [0, 0, 0]
        self.full_seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            pause = time.perf_counter() - self._started
            self.seconds += pause
            self.collections[info["generation"]] += 1
            if info["generation"] == 2:
                self.full_seconds += pause

    def snapshot(self) -> tuple[float, list[int], float]:
        return self.seconds, list(self.collections), self.full_seconds


WARM_UP_PAGES = 5  # per listing: enough to import every module and open every connection once


def benchmark_settings(base_url: str, listings: int, pages: int, workdir: Path) -> Settings:
    """Listing ``l<n>`` is timed; ``w<n>``, its first few pages, warms both spiders up untimed."""
    return Settings(
        crawl={"download_delay_seconds": 0, "allow_loopback": True, "log_level": "WARNING"},
        store={"backend": "sqlite", "sqlite_path": str(workdir / "bench.sqlite")},
        privacy={"author_salt": "benchmark-salt"},
        tasks={"batch_size": 200},
        entities=[{"id": f"commerce-{n}", "name": f"Commerce {n}", "sources": [
            {"id": f"l{n}", "type": "schema_org", "url": f"{base_url}/l{n}/page-1.html", "max_pages": pages,
             "backfill_max_pages": pages},
            {"id": f"w{n}", "type": "schema_org", "url": f"{base_url}/l{n}/page-1.html",
             "max_pages": WARM_UP_PAGES, "backfill_max_pages": WARM_UP_PAGES}]} for n in range(listings)],
    )


def run_phases(base_url: str, listings: int, pages: int, workdir: Path, rounds: int = 3) -> list[dict]:
    """One result per timed phase, alternating bare and starwatch, ``rounds`` times.

    A short untimed phase of each spider runs first, so that neither pays the process's imports
    and first connections inside its figures. Each result carries the wall time and the CPU time
    of this process (the site is served by another one): on a shared machine the CPU time per
    page moves less than the wall time.
    """
    from scrapy.crawler import CrawlerProcess
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
    gc_meter = GcMeter()
    gc.callbacks.append(gc_meter)

    @inlineCallbacks
    def phase(name: str, prefix: str):
        spider = BareSpider if name == "bare" else SchemaOrgSpider
        crawlers = [process.create_crawler(spider) for _ in range(listings)]
        reviews_before, started, cpu_started = sink.reviews, time.perf_counter(), time.process_time()
        gc_seconds_before, gc_counts_before, gc_full_before = gc_meter.snapshot()
        # backfill: every phase walks every page even though an earlier phase saw them
        outcomes = yield DeferredList([process.crawl(c, source_id=f"{prefix}{n}", backfill=True)
                                       for n, c in enumerate(crawlers)], consumeErrors=True)
        for ok, failure in outcomes:
            if not ok:
                print(f"  a {name} crawler failed: {failure.getErrorMessage()}", flush=True)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        gc_seconds, gc_counts, gc_full = gc_meter.snapshot()
        crawled = sum(c.stats.get_value("starwatch/pages", 0) for c in crawlers)
        return {"spider": name, "pages": crawled, "seconds": seconds, "rate": crawled / seconds,
                "cpu_ms_per_page": cpu * 1000 / max(crawled, 1), "reviews": sink.reviews - reviews_before,
                "gc_ms_per_page": (gc_seconds - gc_seconds_before) * 1000 / max(crawled, 1),
                "gc_collections": [after - before for after, before in zip(gc_counts, gc_counts_before)],
                "gc_full_ms": (gc_full - gc_full_before) * 1000}

    @inlineCallbacks
    def phases():
        from twisted.internet import reactor

        try:
            for name in PHASES:
                yield phase(name, "w")
            for name in PHASES * rounds:
                result = yield phase(name, "l")
                results.append(result)
                print(f"  phase {name}: {result['pages']} pages in {result['seconds']:.2f} s = "
                      f"{result['rate']:.0f} pages/s, {result['cpu_ms_per_page']:.2f} ms CPU a page, "
                      f"GC {result['gc_ms_per_page']:.3f} ms a page (collections by generation "
                      f"{'/'.join(map(str, result['gc_collections']))}, full ones {result['gc_full_ms']:.0f} ms)", flush=True)
        finally:
            gc.callbacks.remove(gc_meter)
            reactor.stop()

    from twisted.internet import reactor

    reactor.callWhenRunning(phases)
    process.start(stop_after_crawl=False)
    return results

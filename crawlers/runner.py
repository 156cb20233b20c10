"""Run the crawl of configured sources and report what each one produced.

``run_crawl(settings)`` starts one Scrapy ``CrawlerProcess`` with one crawler per source (all
configured sources unless ``source_ids`` is given), blocks until all are done and returns a
``CrawlReport``. Sources on different hosts are crawled in parallel; sources on the same host one
after another, so that the per-domain politeness limit holds across sources.

Before anything is fetched, source URLs are checked: loopback is refused unless
``settings.crawl.allow_loopback``, private and link-local addresses always (``CrawlConfigError``).

Twisted's reactor cannot be restarted, so ``run_crawl`` runs **once per process**; schedulers
and tests start a new process per crawl, for example with the command line::

    python -m crawlers.runner --config starwatch.yaml [--source ID ...] [--output batches.jsonl] [--backfill]

which prints the report as JSON on stdout and exits 0 when every source crawled cleanly, 1 when
a source reported errors, 2 when the configuration is unusable. ``--output`` writes the batches to
a JSON Lines file instead of handing them to the workers.

Reads ``settings.crawl.*`` (through ``crawlers.settings.scrapy_settings_for``), ``entities``
and ``tasks.batch_size``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
from dataclasses import asdict
from urllib.parse import urlparse

from scrapy.crawler import CrawlerProcess
from twisted.internet.defer import DeferredList, inlineCallbacks
from twisted.internet.error import ReactorNotRunning

from config.settings import ConfigError, Settings, load_settings
from crawlers.address_policy import check_source_url
from crawlers.errors import CrawlConfigError
from crawlers.pipelines.handoff import SharedSink, Sink, default_sink
from crawlers.report import CrawlReport, source_report, stats_of
from crawlers.settings import scrapy_settings_for
from crawlers.sinks import JsonlFileSink
from crawlers.sources import ConfiguredSource, configured_sources, find_source

__all__ = ["CrawlConfigError", "CrawlReport", "run_crawl", "main"]

_already_ran = False


def select_sources(settings: Settings, source_ids: list[str] | None) -> list[ConfiguredSource]:
    """The sources to crawl, each checked against the address policy."""
    if source_ids:
        selected = [find_source(settings, source_id) for source_id in dict.fromkeys(source_ids)]
    else:
        selected = configured_sources(settings)
    if not selected:
        raise CrawlConfigError("no sources to crawl; add entities[].sources to the config file")
    for configured in selected:
        check_source_url(configured.source.id, configured.source.url, settings.crawl.allow_loopback)
    return selected


def run_crawl(
    settings: Settings, source_ids: list[str] | None = None, sink: Sink | None = None, backfill: bool = False,
) -> CrawlReport:
    """Crawl sources once and report per-source results; runs once per process.

    :param settings: starwatch settings (``config.load_settings()``).
    :param source_ids: the sources to crawl; default every configured source.
    :param sink: ``callable(batch)`` receiving the records, shared by all crawlers of the run;
        default ``workers.dispatch.submit_batch`` bound to ``settings``.
    :param backfill: walk each source's whole history (up to ``backfill_max_pages``) instead of
        stopping at the first page of already-known reviews.
    :raises CrawlConfigError: unknown source, refused address, or no sink available.

    Example::

        report = run_crawl(load_settings("starwatch.yaml"), ["cafe-site"], JsonlFileSink("out.jsonl"))
        report.source("cafe-site").reviews_collected
    """
    global _already_ran
    if _already_ran:
        raise RuntimeError(
            "run_crawl already ran in this process and Twisted's reactor cannot restart; "
            "start a new process per crawl (python -m crawlers.runner)"
        )
    selected = select_sources(settings, source_ids)
    scrapy_settings = scrapy_settings_for(settings)
    scrapy_settings["STARWATCH_SINK"] = SharedSink(sink if sink is not None else default_sink(settings))
    process = CrawlerProcess(scrapy_settings)
    # spider name == source type; creating the first crawler installs Scrapy's reactor
    jobs = [(configured, process.create_crawler(configured.source.type)) for configured in selected]
    start_failures: dict[str, str] = {}
    chains = [_crawl_in_turn(process, group, start_failures, backfill) for group in _grouped_by_host(jobs)]
    DeferredList(chains).addBoth(_stop_reactor)
    _already_ran = True
    process.start(stop_after_crawl=False, install_signal_handlers=threading.current_thread() is threading.main_thread())
    return CrawlReport([
        source_report(configured, crawler, start_failures.get(configured.source.id)) for configured, crawler in jobs
    ])


def _grouped_by_host(jobs: list) -> list[list]:
    """Sources on the same host, in configuration order.

    A review platform hosts many entities; crawling its sources in parallel would multiply the
    load that CONCURRENT_REQUESTS_PER_DOMAIN = 1 is meant to cap, so they go one after another.
    """
    groups: dict[str, list] = {}
    for configured, crawler in jobs:
        groups.setdefault(urlparse(configured.source.url).hostname, []).append((configured, crawler))
    return list(groups.values())


@inlineCallbacks
def _crawl_in_turn(process: CrawlerProcess, jobs: list, start_failures: dict[str, str], backfill: bool = False):
    for configured, crawler in jobs:
        try:
            yield process.crawl(crawler, source_id=configured.source.id, backfill=backfill)
        except Exception as error:  # a crawl that cannot start must not stop the others
            start_failures[configured.source.id] = f"{type(error).__name__}: {error}"
        if stats_of(crawler).get("finish_reason") == "shutdown":
            return  # Ctrl-C or SIGTERM: do not start the next source


def _stop_reactor(_result) -> None:
    from twisted.internet import reactor  # the reactor Scrapy installed, never a default one

    if not reactor.running:  # every crawl failed to start before the reactor even ran
        reactor.callWhenRunning(_stop_reactor, None)
        return
    with contextlib.suppress(ReactorNotRunning):  # already stopping after Ctrl-C
        reactor.stop()


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m crawlers.runner", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--config", help="starwatch YAML config (default: $STARWATCH_CONFIG or config/starwatch.yaml)"
    )
    parser.add_argument(
        "--source", action="append", dest="sources", metavar="ID", help="crawl only this source (repeatable)"
    )
    parser.add_argument(
        "--output", metavar="FILE", help="append batches to this JSON Lines file instead of the task queue"
    )
    parser.add_argument(
        "--backfill", action="store_true", help="walk each source's whole history, not only the new pages"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    try:
        settings = load_settings(args.config)
        sink = JsonlFileSink(args.output) if args.output else None
        report = run_crawl(settings, args.sources, sink, backfill=args.backfill)
    except (ConfigError, CrawlConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(asdict(report), indent=2, ensure_ascii=False))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())

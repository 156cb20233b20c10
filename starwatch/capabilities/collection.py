"""Collect now: run the spiders of the configured sources in this process.

In ``celery`` task mode the crawl hands its batches to the broker; the broker is checked first
so that a stopped Redis is reported at once, with its URL, instead of after the crawl.
"""

from __future__ import annotations

from typing import Sequence

from config import ConfigError, Settings


def crawl_sources(settings: Settings, source_ids: Sequence[str] | None = None, backfill: bool = False):
    """Crawl the given sources (all configured ones by default); returns the ``CrawlReport``.

    ``backfill`` walks each source's whole history instead of stopping at known reviews.
    Twisted's reactor cannot restart, so call this at most once per process (workers run each
    crawl in a process of its own).
    """
    from crawlers.runner import run_crawl

    known = {s.id for e in settings.entities for s in e.sources}
    if not known:
        raise ConfigError("no sources configured: add entities with sources to your config file")
    unknown = sorted(set(source_ids or ()) - known)
    if unknown:
        raise ConfigError(f"unknown source(s) {unknown} (known: {', '.join(sorted(known))})")
    if settings.tasks.mode == "celery":
        from workers.dispatch import check_broker

        check_broker(settings)
    return run_crawl(settings, list(source_ids) if source_ids else None, backfill=backfill)

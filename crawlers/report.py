"""The per-source crawl report, read from each crawler's Scrapy stats.

Kept apart from the runner so the monitoring side (operator alerts on a broken crawler) can build
the same report from stats without running anything. No settings are read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawlers.pipelines.handoff import FAILED_REASON
from crawlers.sources import ConfiguredSource

_DROPPED = "starwatch/dropped/"
_FIELD = "starwatch/field/"


@dataclass
class SourceReport:
    """What one source's crawl produced; ``errors`` is empty when it went cleanly."""

    source_id: str
    entity_id: str
    url: str
    finish_reason: str | None = None
    pages: int = 0
    reviews_collected: int = 0
    snapshots: int = 0
    robots_forbidden: int = 0
    mentions: int = 0
    new_reviews: int = 0
    edited_reviews: int = 0
    deleted_reviews: int = 0
    complete_listing: bool = False
    health: str | None = None  # ok, empty, degraded or failed (crawlers.monitors); None when not judged
    health_problems: list[str] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)
    field_problems: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    # pages in a language the source's ``languages`` does not list, per language (reviews kept)
    unexpected_languages: dict[str, int] = field(default_factory=dict)


@dataclass
class CrawlReport:
    """Per-source reports, plus totals over all sources for one-line summaries."""

    sources: list[SourceReport]

    @property
    def ok(self) -> bool:
        return all(not source.errors for source in self.sources)

    @property
    def pages(self) -> int:
        return sum(source.pages for source in self.sources)

    @property
    def reviews_collected(self) -> int:
        return sum(source.reviews_collected for source in self.sources)

    @property
    def snapshots(self) -> int:
        return sum(source.snapshots for source in self.sources)

    @property
    def dropped(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for source in self.sources:
            for reason, count in source.dropped.items():
                totals[reason] = totals.get(reason, 0) + count
        return totals

    @property
    def errors(self) -> list[str]:
        return [f"{source.source_id}: {error}" for source in self.sources for error in source.errors]

    def source(self, source_id: str) -> SourceReport:
        for source in self.sources:
            if source.source_id == source_id:
                return source
        raise KeyError(f"no report for source {source_id!r}; crawled: {[s.source_id for s in self.sources]}")


def _with_prefix(stats: dict, prefix: str) -> dict[str, int]:
    return {key.removeprefix(prefix): value for key, value in sorted(stats.items()) if key.startswith(prefix)}


def _coverage_error(stats: dict, start_failure: str | None) -> str | None:
    if start_failure:
        return f"crawl could not start: {start_failure}"
    if not stats:
        return "not crawled: the run was stopped before this source's turn"
    if not stats.get("starwatch/pages"):
        return "no page was parsed; check the source URL and robots.txt"
    return None


def errors_from(stats: dict, start_failure: str | None = None) -> list[str]:
    """Human-readable problems of one crawl, from its stats."""
    coverage_error = _coverage_error(stats, start_failure)
    errors = [coverage_error] if coverage_error else []
    if handoff_error := stats.get("starwatch/handoff/error"):
        errors.append(f"handing records to the next stage failed: {handoff_error}")
    not_delivered = _with_prefix(stats, "starwatch/handoff/not_delivered/")
    if not_delivered:
        errors.append(f"records not delivered (re-run the crawl): {not_delivered}")
    if failed := stats.get("starwatch/request_errors"):
        errors.append(f"{failed} request(s) failed, e.g. {stats.get('starwatch/request_error_example')}")
    if blocked := stats.get("starwatch/blocked/address"):
        errors.append(f"{blocked} request(s) refused by the address policy (private or loopback address)")
    reason = stats.get("finish_reason")
    if reason not in (None, "finished", FAILED_REASON):
        errors.append(f"crawl ended early: {reason}")
    return errors


def stats_of(crawler) -> dict:
    """A crawler's stats; empty when it never started (the run was stopped before its turn)."""
    try:
        return crawler.stats.get_stats()
    except RuntimeError:  # Scrapy sets Crawler.stats only when the crawl starts
        return {}


def source_report(configured: ConfiguredSource, crawler, start_failure: str | None = None) -> SourceReport:
    """The report of one finished crawler."""
    stats = stats_of(crawler)
    return SourceReport(
        source_id=configured.source.id,
        entity_id=configured.entity.id,
        url=configured.source.url,
        finish_reason=stats.get("finish_reason"),
        pages=stats.get("starwatch/pages", 0),
        reviews_collected=stats.get("starwatch/handed_off/reviews", 0),
        snapshots=stats.get("starwatch/handed_off/snapshots", 0),
        robots_forbidden=stats.get("robotstxt/forbidden", 0),
        mentions=stats.get("starwatch/handed_off/mentions", 0),
        new_reviews=stats.get("starwatch/reviews/new", 0),
        edited_reviews=stats.get("starwatch/reviews/edited", 0),
        deleted_reviews=stats.get("starwatch/reviews/deleted", 0),
        complete_listing=bool(stats.get("starwatch/listing/complete")),
        health=stats.get("starwatch/health/status"),
        health_problems=[p for p in str(stats.get("starwatch/health/problems", "")).split(" | ") if p],
        dropped=_with_prefix(stats, _DROPPED),
        field_problems=_with_prefix(stats, _FIELD),
        errors=errors_from(stats, start_failure),
        unexpected_languages=_with_prefix(stats, "starwatch/pages/unexpected_language/"),
    )

"""The "why" of an alert email: quotes, aspects, competitors, authenticity notes and a trend chart.

Rules call these from ``explain`` once per email (never per evaluated entity), so their reads
count against the emails actually sent, which the engine caps per evaluation. Every function
returns plain dataclasses the Jinja2 templates render; nothing here formats text.

Reads no settings except ``entities`` / ``groups`` through ``competitors`` (who the competitors
are and their display names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Sequence

from search.backends.base import RatingStats

if TYPE_CHECKING:
    from config.settings import Settings
    from search.backends.base import ReviewStore
    from workers.alerts.rules.base import Window

AUTHENTICITY_PREFIXES = ("campaign:", "authenticity:")
SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
ASPECTS_SHOWN = 3
MIN_ASPECT_REVIEWS = 2


@dataclass(frozen=True)
class CompetitorRating:
    """A fellow group member's averages over the same two windows, for the email's context."""

    entity_id: str
    name: str
    recent: RatingStats
    baseline: RatingStats


@dataclass(frozen=True)
class AspectChange:
    """Mean sentiment of the reviews mentioning one aspect, before and now (-1..1)."""

    aspect: str
    before: float
    now: float
    before_count: int
    now_count: int

    @property
    def change(self) -> float:
        return self.now - self.before


@dataclass(frozen=True)
class FlagCount:
    flag: str
    count: int


@dataclass(frozen=True)
class TrendPoint:
    start: datetime
    end: datetime
    value: float | None
    count: int


@dataclass(frozen=True)
class Chart:
    """A small bar chart: ``kind`` is ``rating`` (0-5 averages) or ``count`` (reviews per period)."""

    kind: str
    points: tuple[TrendPoint, ...]

    @property
    def top(self) -> float:
        if self.kind == "rating":
            return 5.0
        return max([p.value or 0 for p in self.points] + [1])

    def height(self, point: TrendPoint, pixels: int = 60) -> int:
        """Bar height in pixels (at least 2, so an empty period still shows a baseline)."""
        return max(2, round(pixels * (point.value or 0) / self.top))

    def sparkline(self) -> str:
        """The same chart as text, for the plain part: one block character per period."""
        blocks = []
        for point in self.points:
            if point.value is None:
                blocks.append("·")
            else:
                blocks.append(SPARK_BLOCKS[min(len(SPARK_BLOCKS) - 1, int(len(SPARK_BLOCKS) * point.value / self.top))])
        return "".join(blocks)


def competitors(settings: "Settings", store: "ReviewStore", entity_id: str,
                baseline: "Window", recent: "Window") -> list[CompetitorRating]:
    """The other members of the entity's group, best-rated first (two grouped reads)."""
    from workers.alerts.rules.base import entity_index

    index = entity_index(settings)
    group = index.by_id[entity_id].group
    if group is None:
        return []
    others = [e for e in index.members.get(group, []) if e.id != entity_id]
    if not others:
        return []
    ids = [e.id for e in others]
    recent_stats = store.rating_stats(ids, recent.start, recent.end)
    baseline_stats = store.rating_stats(ids, baseline.start, baseline.end)
    lines = [CompetitorRating(e.id, e.name, recent_stats.get(e.id, RatingStats(e.id, 0, None)),
                              baseline_stats.get(e.id, RatingStats(e.id, 0, None))) for e in others]
    # Best-rated first; competitors with no recent reviews go last.
    return sorted(lines, key=lambda line: (line.recent.average is None, -(line.recent.average or 0)))


def aspect_changes(store: "ReviewStore", entity_id: str, baseline: "Window", recent: "Window",
                   limit: int = ASPECTS_SHOWN) -> list[AspectChange]:
    """The aspects whose sentiment fell the most between the windows (each with enough reviews)."""
    before = store.sentiment_stats([entity_id], baseline.start, baseline.end, by_aspect=True)[entity_id].aspects
    now = store.sentiment_stats([entity_id], recent.start, recent.end, by_aspect=True)[entity_id].aspects
    changes = [
        AspectChange(aspect, before[aspect].average, stats.average, before[aspect].count, stats.count)
        for aspect, stats in now.items()
        if aspect in before and stats.average is not None and before[aspect].average is not None
        and min(stats.count, before[aspect].count) >= MIN_ASPECT_REVIEWS
    ]
    falling = sorted((c for c in changes if c.change < 0), key=lambda c: (c.change, c.aspect))
    return falling[:limit]


def authenticity_notes(store: "ReviewStore", entity_id: str, window: "Window",
                       prefixes: Sequence[str] = AUTHENTICITY_PREFIXES) -> list[FlagCount]:
    """How many reviews of the window carry each authenticity / campaign flag (most frequent first)."""
    counts: dict[str, int] = {}
    for review in store.matching_reviews([entity_id], window.start, window.end, flag_prefixes=list(prefixes)):
        for flag in review.flags:
            if flag.startswith(tuple(prefixes)):
                counts[flag] = counts.get(flag, 0) + 1
    return [FlagCount(flag, n) for flag, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def rating_trend(store: "ReviewStore", entity_id: str, end: datetime, weeks: int = 8) -> Chart:
    """Weekly average rating over the last ``weeks`` weeks, oldest first."""
    points = []
    for index in reversed(range(weeks)):
        start, stop = end - timedelta(weeks=index + 1), end - timedelta(weeks=index)
        stats = store.rating_stats([entity_id], start, stop).get(entity_id, RatingStats(entity_id, 0, None))
        points.append(TrendPoint(start, stop, stats.average, stats.count))
    return Chart("rating", tuple(points))


def count_trend(store: "ReviewStore", entity_id: str, end: datetime, period: timedelta, periods: int, *,
                max_rating: float | None = None, sentiment_labels: Sequence[str] | None = None) -> Chart:
    """Reviews per period over the last ``periods`` periods, oldest first (one grouped read)."""
    counts = store.review_counts([entity_id], end, period, periods, max_rating=max_rating,
                                 sentiment_labels=sentiment_labels)[entity_id]
    points = [TrendPoint(end - period * (i + 1), end - period * i, float(counts[i]), counts[i])
              for i in reversed(range(periods))]
    return Chart("count", tuple(points))

"""The figures a competitor comparison needs, asked of the store for many entities at once.

``ReviewStore.entity_figures(FiguresRequest)`` returns, per entity, an ``EntityFigures``:

- ``window`` / ``previous`` / ``all_time``: ``RatingStats`` of rated reviews published in
  ``[since, until)``, in ``[previous_since, since)``, and before ``until`` (undated reviews
  count in ``all_time`` only);
- ``series``: count and average per day, week (starting Monday) or month of the window, UTC,
  non-empty buckets only (``bucket_starts`` lists every bucket when a caller wants the gaps);
- ``aspects``: per aspect of the window's reviews, the review count, the mean sentiment of that
  aspect (``Review.aspect_sentiments[aspect]`` where the analysis scored it, else the review's
  ``sentiment_score``) and the sentiment labels of those reviews (the ``max_aspects`` most
  frequent aspects, ties by name);
- ``mentions``: how many mentions were published in the window (share of voice).

Authenticity hook: ``RatingStats.adjusted_average`` weighs each rated review by its
``Review.authenticity_weight`` (1 when unset) and gives weight 0 to reviews carrying one of
``FiguresRequest.exclude_flags``. It is None unless at least one review of the set carries such a
signal, so a comparison shows an adjusted figure only where authenticity checks have run.

Pure types and helpers; both backends fill them. Reads no settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Literal, Sequence

from search.backends.base import QueryError, RatingStats
from search.backends.records import as_utc

Interval = Literal["day", "week", "month"]
INTERVALS: tuple[str, ...] = ("day", "week", "month")
MAX_BUCKETS_PER_ENTITY = 400


@dataclass(frozen=True)
class FiguresRequest:
    """Which entities, which window, how to cut the trend, what authenticity signals to honour."""

    entity_ids: Sequence[str]
    since: datetime
    until: datetime
    previous_since: datetime | None = None  # default: a window as long as [since, until), just before it
    interval: Interval = "week"
    exclude_flags: Sequence[str] = ()
    max_aspects: int = 20

    @property
    def previous_start(self) -> datetime:
        return self.previous_since or self.since - (self.until - self.since)


@dataclass(frozen=True)
class SeriesPoint:
    start: datetime  # first instant of the bucket (UTC)
    count: int
    average: float | None


@dataclass(frozen=True)
class AspectFigures:
    aspect: str
    count: int
    average_score: float | None  # mean sentiment score (-1..1) of the scored reviews
    positive: int = 0
    neutral: int = 0
    negative: int = 0


@dataclass(frozen=True)
class EntityFigures:
    entity_id: str
    window: RatingStats
    previous: RatingStats
    all_time: RatingStats
    series: list[SeriesPoint] = field(default_factory=list)
    aspects: list[AspectFigures] = field(default_factory=list)
    mentions: int = 0


def check_figures_request(request: FiguresRequest) -> None:
    """Raise ``QueryError`` saying what to change when a request cannot be answered."""
    if isinstance(request.entity_ids, (str, bytes)) or isinstance(request.exclude_flags, (str, bytes)):
        raise QueryError("entity_ids and exclude_flags must be lists of values, not single strings")
    if request.interval not in INTERVALS:
        raise QueryError(f"interval must be one of {list(INTERVALS)} (got {request.interval!r})")
    since, until, previous = as_utc(request.since), as_utc(request.until), as_utc(request.previous_start)
    if not previous <= since < until:
        raise QueryError("the comparison needs previous_since <= since < until")
    if len(bucket_starts(since, until, request.interval)) > MAX_BUCKETS_PER_ENTITY:
        raise QueryError(f"a {request.interval} trend over this window has more than {MAX_BUCKETS_PER_ENTITY} "
                         "points; choose a longer interval (week or month)")
    if not 1 <= request.max_aspects <= 100:
        raise QueryError("max_aspects must be between 1 and 100")


def bucket_start(moment: datetime, interval: Interval) -> datetime:
    """The first instant (UTC) of the day, week (Monday) or month that contains ``moment``."""
    moment = as_utc(moment)
    day = datetime(moment.year, moment.month, moment.day, tzinfo=timezone.utc)
    if interval == "day":
        return day
    if interval == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def bucket_starts(since: datetime, until: datetime, interval: Interval) -> list[datetime]:
    """Every bucket start from the one containing ``since`` to the one containing ``until``'s last instant."""
    starts: list[datetime] = []
    current = bucket_start(since, interval)
    end = as_utc(until)
    while current < end:
        starts.append(current)
        current = _next_start(current, interval)
    return starts


def _next_start(start: datetime, interval: Interval) -> datetime:
    if interval == "day":
        return start + timedelta(days=1)
    if interval == "week":
        return start + timedelta(days=7)
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


def adjusted(weighted_sum: float | None, weight_sum: float | None, signals: int) -> tuple[float | None, float | None]:
    """(adjusted average, weight) from the sums, or (None, None) when no review carried a signal."""
    if not signals:
        return None, None
    weight = float(weight_sum or 0.0)
    if weight <= 0:
        return None, 0.0
    return float(weighted_sum or 0.0) / weight, weight


def ranked_aspects(rows: dict[str, AspectFigures], limit: int) -> list[AspectFigures]:
    """The ``limit`` most frequent aspects, ties by name: the same cut on both backends."""
    return sorted(rows.values(), key=lambda a: (-a.count, a.aspect))[:limit]

"""Compare a competitor group side by side: the "race for stars" capability.

For every member, over the last ``days`` days: the number of rated reviews, the raw average,
the Bayesian-smoothed average (raw averages mislead on small samples, so each is pulled toward
a prior, Trustpilot's 7 reviews at 3.5★ by default), the authenticity-adjusted average where
authenticity checks have weighted or flagged reviews (``search.figures``), the star
distribution, the previous window's average and the change, a trend series (day, week or
month), sentiment per aspect, the share of voice among the group's mentions, the rating the
platform displays, and the forecast of how many 1★ or 5★ reviews would move that displayed
rating by one step. Members are ranked by the smoothed average.

Two store requests cover the whole group however large (``entity_figures`` and
``latest_snapshots``). Reads ``compare`` (prior, display step, authenticity flags, trend
interval), ``groups`` and ``entities``, and the store settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Sequence

from config import Settings
from search.documents import Entity, RatingSnapshot, utcnow
from search.figures import INTERVALS, AspectFigures, EntityFigures, FiguresRequest, SeriesPoint
from starwatch.capabilities.rating_math import (
    FlipForecast, bayesian_average, fill_series, flip_forecast, shares,
)
from starwatch.capabilities.stores import open_store

PRIOR_REVIEWS = 7  # defaults of settings.compare, kept importable for older callers
PRIOR_MEAN = 3.5
MAX_DAYS = 3650

__all__ = ["bayesian_average", "compare_group", "compare_members", "GroupComparison", "MemberComparison"]


@dataclass
class MemberComparison:
    entity_id: str
    name: str
    window_count: int
    window_average: float | None
    window_smoothed: float | None
    previous_average: float | None
    all_time_count: int
    all_time_average: float | None
    displayed_average: float | None
    displayed_count: int | None
    distribution: dict[int, int] = field(default_factory=dict)
    rank: int | None = None
    window_adjusted: float | None = None  # authenticity-adjusted; None until authenticity checks ran
    adjusted_weight: float | None = None
    previous_count: int = 0
    change: float | None = None  # window average minus previous average
    series: list[SeriesPoint] = field(default_factory=list)
    aspects: list[AspectFigures] = field(default_factory=list)
    mentions: int = 0
    share_of_voice: float | None = None
    forecast: FlipForecast | None = None


@dataclass
class GroupComparison:
    group_id: str
    group_name: str
    days: int
    since: datetime
    until: datetime
    members: list[MemberComparison]
    interval: str = "week"
    prior_reviews: float = PRIOR_REVIEWS
    prior_mean: float = PRIOR_MEAN


def compare_group(settings: Settings, group_id: str, *, days: int = 30, now: datetime | None = None,
                  interval: str | None = None) -> GroupComparison:
    """Every member of ``group_id`` over the last ``days`` days, ranked (see the module docstring)."""
    members = settings.group_members(group_id)
    return compare_members(settings, members, group_id=group_id, group_name=settings.group_name(group_id),
                           days=days, now=now, interval=interval)


def compare_members(settings: Settings, members: Sequence[Entity], *, group_id: str = "", group_name: str = "",
                    days: int = 30, now: datetime | None = None, interval: str | None = None) -> GroupComparison:
    """The comparison of any list of entities (a group, or an ad hoc selection)."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}")
    interval = interval or settings.compare.trend_interval
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {', '.join(INTERVALS)} (got {interval!r})")
    until = now or utcnow()
    since = until - timedelta(days=days)
    ids = [m.id for m in members]
    request = FiguresRequest(ids, since, until, interval=interval,
                             exclude_flags=tuple(settings.compare.authenticity_exclude_flags))
    with open_store(settings) as store:
        figures = store.entity_figures(request)
        snapshots = store.latest_snapshots(ids)
    voice = shares({entity_id: figures[entity_id].mentions for entity_id in ids})
    rows = [_member(settings, member, figures[member.id], snapshots.get(member.id, []), voice[member.id], request)
            for member in members]
    ranked = sorted((r for r in rows if r.window_smoothed is not None), key=lambda r: (-r.window_smoothed, r.entity_id))
    for position, row in enumerate(ranked, start=1):
        row.rank = position
    return GroupComparison(group_id, group_name or group_id, days, since, until, rows, interval,
                           settings.compare.prior_reviews, settings.compare.prior_mean)


def _member(settings: Settings, member: Entity, figures: EntityFigures, snapshots: list[RatingSnapshot],
            share_of_voice: float | None, request: FiguresRequest) -> MemberComparison:
    compare = settings.compare
    window, previous, total = figures.window, figures.previous, figures.all_time
    latest = max(snapshots, key=lambda s: s.observed_at, default=None)
    displayed_count = (latest.rating_count or latest.review_count) if latest else None
    if latest is not None and displayed_count:
        forecast = flip_forecast(latest.average, displayed_count, compare.displayed_step, "platform snapshot")
    else:
        forecast = flip_forecast(total.average, total.count, compare.displayed_step)
    change = None if window.average is None or previous.average is None else window.average - previous.average
    return MemberComparison(
        entity_id=member.id, name=member.name, window_count=window.count, window_average=_round(window.average),
        window_smoothed=_round(bayesian_average(window.average, window.count, compare.prior_reviews, compare.prior_mean)),
        previous_average=_round(previous.average), all_time_count=total.count, all_time_average=_round(total.average),
        displayed_average=latest.average if latest else None, displayed_count=displayed_count,
        distribution=dict(window.distribution), window_adjusted=_round(window.adjusted_average),
        adjusted_weight=_round(window.adjusted_weight), previous_count=previous.count, change=_round(change),
        series=fill_series(figures.series, request.since, request.until, request.interval),
        aspects=list(figures.aspects), mentions=figures.mentions,
        share_of_voice=_round(share_of_voice, 4), forecast=forecast,
    )


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)

"""Compare a competitor group side by side: the "race for stars" capability.

Raw averages mislead on small samples (one 5★ review is not a 5★ business), so every member
also gets a Bayesian-smoothed average that pulls it toward a prior, the way Trustpilot pulls
toward 7 reviews at 3.5★. Members are ranked by the smoothed figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from config import Settings
from search.documents import utcnow
from starwatch.capabilities.stores import open_store

PRIOR_REVIEWS = 7
PRIOR_MEAN = 3.5


def bayesian_average(average: float | None, count: int, prior_count: float = PRIOR_REVIEWS,
                     prior_mean: float = PRIOR_MEAN) -> float | None:
    """Average pulled toward ``prior_mean`` as if ``prior_count`` extra reviews had that rating."""
    if count <= 0 or average is None:
        return None
    return (prior_count * prior_mean + count * average) / (prior_count + count)


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


@dataclass
class GroupComparison:
    group_id: str
    group_name: str
    days: int
    since: datetime
    until: datetime
    members: list[MemberComparison]


def compare_group(settings: Settings, group_id: str, *, days: int = 30,
                  now: datetime | None = None) -> GroupComparison:
    """Ratings of every member of ``group_id`` over the last ``days`` days, ranked.

    For each member: the window's count, raw and smoothed averages and star distribution, the
    previous window's average (the trend), the all-time figures, and the rating the platform
    itself displays (latest snapshot). One store call per figure covers the whole group.
    """
    if not 1 <= days <= 3650:
        raise ValueError("days must be between 1 and 3650")
    members = settings.group_members(group_id)
    until = now or utcnow()
    since = until - timedelta(days=days)
    ids = [m.id for m in members]
    with open_store(settings) as store:
        window = store.rating_stats(ids, since, until)
        previous = store.rating_stats(ids, since - timedelta(days=days), since)
        all_time = store.rating_stats(ids, None, None)
        snapshots = store.latest_snapshots(ids)
    rows = []
    for member in members:
        stats, prior, total = window[member.id], previous[member.id], all_time[member.id]
        latest = max(snapshots.get(member.id, []), key=lambda s: s.observed_at, default=None)
        rows.append(MemberComparison(
            entity_id=member.id, name=member.name,
            window_count=stats.count, window_average=_round(stats.average),
            window_smoothed=_round(bayesian_average(stats.average, stats.count)),
            previous_average=_round(prior.average),
            all_time_count=total.count, all_time_average=_round(total.average),
            displayed_average=latest.average if latest else None,
            displayed_count=(latest.rating_count or latest.review_count) if latest else None,
            distribution=dict(stats.distribution),
        ))
    ranked = sorted((r for r in rows if r.window_smoothed is not None), key=lambda r: -r.window_smoothed)
    for position, row in enumerate(ranked, start=1):
        row.rank = position
    return GroupComparison(group_id, settings.group_name(group_id), days, since, until, rows)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)

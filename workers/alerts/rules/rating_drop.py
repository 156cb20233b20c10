"""``rating_drop``: the average rating of the recent days fell against the days before them.

Options (``RatingDropOptions``):

- ``recent_days`` / ``baseline_days``: the recent window is ``[now - recent_days, now)`` and the
  baseline window is the ``baseline_days`` just before it, so a review counts in one of them only;
- ``min_recent_reviews`` / ``min_baseline_reviews``: the small-sample guard. Two angry reviews in
  a quiet week move an average by a whole star; below these counts the rule never fires (and
  never resolves an open incident either, see ``Evaluation``);
- ``min_drop`` (stars) and ``min_drop_percent`` (of the baseline average): every threshold set
  must be met; a drop exactly equal to one fires. Neither set means 0.3 stars;
- ``smoothing_weight`` / ``smoothing_mean``: Bayesian smoothing of the recent average, as if
  ``smoothing_weight`` extra reviews at ``smoothing_mean`` (default: the baseline average) had
  been written. Six 1-star reviews then move the figure less than sixty would.

Store traffic is two ``rating_stats`` calls per option set (one per window, all entities at
once); ``explain`` adds the reads one email needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Sequence

from search.backends.base import RatingStats
from workers.alerts import explain
from workers.alerts.explain import CompetitorRating  # noqa: F401 - part of this module's public names
from workers.alerts.rules.base import Evaluation, RuleMatch, RuleType, Window, clear, insufficient, matched
from workers.alerts.rules.options import RatingDropOptions

if TYPE_CHECKING:
    from config.settings import Settings
    from search.backends.base import ReviewStore

# Averages are floats: 4.0 - 3.7 is 0.2999999999999998, which must still count as a 0.3 drop.
_DROP_PRECISION = 9
DEFAULT_MIN_DROP = 0.3
QUOTED_REVIEWS = 3


@dataclass(frozen=True, kw_only=True)
class RatingDropMatch(RuleMatch):
    """The figures behind one rating drop: both averages, both counts, both windows."""

    old_average: float
    new_average: float
    drop: float
    baseline_count: int
    recent_count: int
    baseline_window: Window
    recent_window: Window
    smoothed_average: float | None = None

    @property
    def drop_percent(self) -> float:
        return 100 * self.drop / self.old_average if self.old_average else 0.0

    def summary(self) -> str:
        return (
            f"average {self.old_average:.2f} -> {self.new_average:.2f} (-{self.drop:.2f}) over the last "
            f"{self.recent_window.days:g} days ({self.recent_count} reviews, baseline {self.baseline_count})"
        )

    def details(self) -> dict[str, Any]:
        return {
            **super().details(),
            "old_average": self.old_average,
            "new_average": self.new_average,
            "drop": self.drop,
            "drop_percent": round(self.drop_percent, 2),
            "smoothed_average": self.smoothed_average,
            "baseline_count": self.baseline_count,
            "recent_count": self.recent_count,
            "baseline_window": self.baseline_window.as_dict(),
            "recent_window": self.recent_window.as_dict(),
        }


def rating_drop_windows(now: datetime, recent_days: int, baseline_days: int) -> tuple[Window, Window]:
    """``(baseline, recent)``: adjacent half-open windows ending at ``now``."""
    recent = Window.ending_at(now, recent_days)
    baseline = Window.ending_at(recent.start, baseline_days)
    return baseline, recent


def smoothed(average: float, count: int, weight: float, prior: float) -> float:
    """Bayesian average: ``weight`` imaginary reviews at ``prior`` added to ``count`` real ones."""
    return (weight * prior + count * average) / (weight + count) if weight + count else prior


def compare_windows(
    options: Any,
    entity_id: str,
    baseline_stats: RatingStats,
    recent_stats: RatingStats,
    windows: tuple[Window, Window],
    now: datetime,
) -> Evaluation:
    """Pure decision for one entity from the two windows' statistics."""
    if not isinstance(options, RatingDropOptions):
        options = RatingDropOptions.model_validate(options.model_dump())
    if recent_stats.count < options.min_recent_reviews or recent_stats.average is None:
        return insufficient(options, entity_id, f"{recent_stats.count} recent reviews, fewer than "
                                                f"min_recent_reviews={options.min_recent_reviews}")
    if baseline_stats.count < options.min_baseline_reviews or baseline_stats.average is None:
        return insufficient(options, entity_id, f"{baseline_stats.count} baseline reviews, fewer than "
                                                f"min_baseline_reviews={options.min_baseline_reviews}")
    old, new = baseline_stats.average, recent_stats.average
    judged = new
    if options.smoothing_weight:
        prior = old if options.smoothing_mean is None else options.smoothing_mean
        judged = smoothed(new, recent_stats.count, options.smoothing_weight, prior)
        if options.smoothing_mean is not None:
            old = smoothed(old, baseline_stats.count, options.smoothing_weight, prior)
    drop = round(old - judged, _DROP_PRECISION)
    failed = _unmet_threshold(options, drop, old)
    if failed:
        return clear(options, entity_id, f"change of {-drop:+.2f} stars, {failed}")
    raw_drop = round(baseline_stats.average - new, _DROP_PRECISION)
    return matched(RatingDropMatch(
        rule_id=options.id, rule_type=RatingDropRule.type_name, entity_id=entity_id, evaluated_at=now,
        old_average=baseline_stats.average, new_average=new, drop=raw_drop,
        baseline_count=baseline_stats.count, recent_count=recent_stats.count,
        baseline_window=windows[0], recent_window=windows[1],
        smoothed_average=judged if options.smoothing_weight else None,
    ))


def _unmet_threshold(options: RatingDropOptions, drop: float, old: float) -> str | None:
    min_drop = options.min_drop
    if min_drop is None and options.min_drop_percent is None:
        min_drop = DEFAULT_MIN_DROP
    if min_drop is not None and drop < min_drop:
        return f"smaller than a drop of min_drop={min_drop}"
    percent = round(100 * drop / old, _DROP_PRECISION) if old else 0.0
    if options.min_drop_percent is not None and percent < options.min_drop_percent:
        return f"{percent:.1f}% is smaller than min_drop_percent={options.min_drop_percent}"
    return None


class RatingDropRule(RuleType):
    """Fires when an entity's recent average is well below its baseline average."""

    type_name = "rating_drop"
    options_model = RatingDropOptions

    def windows(self, now: datetime, options: Any = None) -> tuple[Window, Window]:
        options = options or self.options
        return rating_drop_windows(now, options.recent_days, options.baseline_days)

    def evaluate_with(self, store: "ReviewStore", options: Any, entity_ids: Sequence[str],
                      now: datetime) -> list[Evaluation]:
        if not entity_ids:
            return []
        baseline, recent = self.windows(now, options)
        baseline_stats = store.rating_stats(list(entity_ids), baseline.start, baseline.end)
        recent_stats = store.rating_stats(list(entity_ids), recent.start, recent.end)
        return [
            compare_windows(options, entity_id,
                            baseline_stats.get(entity_id, RatingStats(entity_id, 0, None)),
                            recent_stats.get(entity_id, RatingStats(entity_id, 0, None)),
                            (baseline, recent), now)
            for entity_id in entity_ids
        ]

    def explain(self, settings: "Settings", store: "ReviewStore", match: RuleMatch) -> dict[str, Any]:
        """The worst recent reviews, the aspects that soured, competitors and a weekly trend."""
        if not isinstance(match, RatingDropMatch):
            raise TypeError(f"RatingDropRule cannot explain a {type(match).__name__}; pass its own match")
        recent, baseline = match.recent_window, match.baseline_window
        return {
            "lowest_rated": store.lowest_rated(match.entity_id, recent.start, recent.end, limit=QUOTED_REVIEWS),
            "competitors": explain.competitors(settings, store, match.entity_id, baseline, recent),
            "aspects": explain.aspect_changes(store, match.entity_id, baseline, recent),
            "authenticity": explain.authenticity_notes(store, match.entity_id, recent),
            "chart": explain.rating_trend(store, match.entity_id, recent.end),
        }

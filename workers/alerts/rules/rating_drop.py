"""``rating_drop``: the average rating of the recent days fell against the days before them.

Reads one ``settings.alerts.rules`` entry of type ``rating_drop`` (``config.settings.RatingDropRule``):

- ``recent_days`` / ``baseline_days``: the recent window is ``[now - recent_days, now)`` and the
  baseline window is the ``baseline_days`` just before it, so the two never overlap and a review
  counts in exactly one of them;
- ``min_recent_reviews`` / ``min_baseline_reviews``: the small-sample guard. Two angry reviews
  in a quiet week move an average by a whole star; below these counts the rule never fires
  (and never resolves an open incident either, see ``Evaluation``);
- ``min_drop``: stars on the 0-5 scale; a drop exactly equal to it fires;
- ``entities``: which entities to watch (``None`` = all).

Store traffic is two ``rating_stats`` calls per rule (one per window, for all entities at
once), whatever the number of entities; ``explain`` adds the reads an email needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Sequence

from search.backends.base import RatingStats
from workers.alerts.rules.base import Evaluation, RuleMatch, RuleType, Window

if TYPE_CHECKING:
    from config.settings import RatingDropRule as RatingDropOptions
    from config.settings import Settings
    from search.backends.base import ReviewStore

# Averages are floats: 4.0 - 3.7 is 0.2999999999999998, which must still count as a 0.3 drop.
_DROP_PRECISION = 9
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


def compare_windows(
    options: "RatingDropOptions",
    entity_id: str,
    baseline_stats: RatingStats,
    recent_stats: RatingStats,
    windows: tuple[Window, Window],
    now: datetime,
) -> Evaluation:
    """Pure decision for one entity from the two windows' statistics."""
    baseline, recent = windows
    if recent_stats.count < options.min_recent_reviews or recent_stats.average is None:
        reason = f"{recent_stats.count} recent reviews, fewer than min_recent_reviews={options.min_recent_reviews}"
        return Evaluation(options.id, entity_id, "insufficient", reason)
    if baseline_stats.count < options.min_baseline_reviews or baseline_stats.average is None:
        reason = (
            f"{baseline_stats.count} baseline reviews, fewer than "
            f"min_baseline_reviews={options.min_baseline_reviews}"
        )
        return Evaluation(options.id, entity_id, "insufficient", reason)
    drop = round(baseline_stats.average - recent_stats.average, _DROP_PRECISION)
    if drop < options.min_drop:
        reason = f"change of {-drop:+.2f} stars, smaller than a drop of min_drop={options.min_drop}"
        return Evaluation(options.id, entity_id, "clear", reason)
    match = RatingDropMatch(
        rule_id=options.id,
        rule_type=RatingDropRule.type_name,
        entity_id=entity_id,
        evaluated_at=now,
        old_average=baseline_stats.average,
        new_average=recent_stats.average,
        drop=drop,
        baseline_count=baseline_stats.count,
        recent_count=recent_stats.count,
        baseline_window=baseline,
        recent_window=recent,
    )
    return Evaluation(options.id, entity_id, "match", match.summary(), match)


@dataclass(frozen=True)
class CompetitorRating:
    """A fellow group member's averages over the same two windows, for the email's context."""

    entity_id: str
    name: str
    recent: RatingStats
    baseline: RatingStats


class RatingDropRule(RuleType):
    """Fires when an entity's recent average is ``min_drop`` stars below its baseline average."""

    type_name = "rating_drop"

    def windows(self, now: datetime) -> tuple[Window, Window]:
        return rating_drop_windows(now, self.options.recent_days, self.options.baseline_days)

    def evaluate(self, store: "ReviewStore", entity_ids: Sequence[str], now: datetime) -> list[Evaluation]:
        if not entity_ids:
            return []
        baseline, recent = self.windows(now)
        baseline_stats = store.rating_stats(list(entity_ids), baseline.start, baseline.end)
        recent_stats = store.rating_stats(list(entity_ids), recent.start, recent.end)
        return [
            compare_windows(
                self.options,
                entity_id,
                baseline_stats.get(entity_id, RatingStats(entity_id, 0, None)),
                recent_stats.get(entity_id, RatingStats(entity_id, 0, None)),
                (baseline, recent),
                now,
            )
            for entity_id in entity_ids
        ]

    def explain(self, settings: "Settings", store: "ReviewStore", match: RuleMatch) -> dict[str, Any]:
        """The worst recent reviews and, when the entity has a group, its competitors' averages."""
        if not isinstance(match, RatingDropMatch):
            raise TypeError(f"RatingDropRule cannot explain a {type(match).__name__}; pass its own match")
        recent, baseline = match.recent_window, match.baseline_window
        worst = store.lowest_rated(match.entity_id, recent.start, recent.end, limit=QUOTED_REVIEWS)
        return {
            "lowest_rated": worst,
            "competitors": self._competitors(settings, store, match.entity_id, baseline, recent),
        }

    @staticmethod
    def _competitors(
        settings: "Settings", store: "ReviewStore", entity_id: str, baseline: Window, recent: Window
    ) -> list[CompetitorRating]:
        group = settings.entity(entity_id).group
        if group is None:
            return []
        others = [e for e in settings.group_members(group) if e.id != entity_id]
        if not others:
            return []
        ids = [e.id for e in others]
        recent_stats = store.rating_stats(ids, recent.start, recent.end)
        baseline_stats = store.rating_stats(ids, baseline.start, baseline.end)
        lines = [
            CompetitorRating(
                entity_id=e.id,
                name=e.name,
                recent=recent_stats.get(e.id, RatingStats(e.id, 0, None)),
                baseline=baseline_stats.get(e.id, RatingStats(e.id, 0, None)),
            )
            for e in others
        ]
        # Best-rated first; competitors with no recent reviews go last.
        return sorted(lines, key=lambda line: (line.recent.average is None, -(line.recent.average or 0)))

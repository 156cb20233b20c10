"""``displayed_rating_drop``: the average the platform itself shows fell (RatingSnapshots).

Platforms show an average over reviews we may never see (ratings without text, old reviews), so
this rule reads the snapshots the crawlers record, per source: the latest one now against the
latest one ``window_days`` ago. It fires when the drop meets ``min_drop`` (stars) and
``min_drop_percent`` (whichever are set), or, with ``star_flip``, when the rounded stars the
platform displays go down: 4.26 → 4.24 is nothing, but it turns a 4.5★ badge into 4.0★ when the
platform rounds to half stars (``round_to: 0.5``). Snapshots based on fewer than
``min_rating_count`` ratings are ignored. Store traffic: two ``snapshots_before`` reads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Sequence

from search.documents import RatingSnapshot
from workers.alerts import explain
from workers.alerts.rules.base import Evaluation, RuleMatch, RuleType, Window, clear, insufficient, matched
from workers.alerts.rules.options import DisplayedRatingDropOptions

if TYPE_CHECKING:
    from config.settings import Settings
    from search.backends.base import ReviewStore

_PRECISION = 9


def displayed_stars(average: float, round_to: float) -> float:
    """What a platform shows: the average rounded half-up to a multiple of ``round_to``."""
    return round(math.floor(average / round_to + 0.5 + 1e-9) * round_to, 6)


@dataclass(frozen=True)
class DisplayChange:
    source: str
    before: float
    now: float
    before_stars: float
    now_stars: float
    rating_count: int | None
    flipped: bool

    @property
    def drop(self) -> float:
        return round(self.before - self.now, _PRECISION)


@dataclass(frozen=True, kw_only=True)
class DisplayedRatingDropMatch(RuleMatch):
    changes: tuple[DisplayChange, ...]
    window: Window

    @property
    def main(self) -> DisplayChange:
        return max(self.changes, key=lambda change: (change.flipped, change.drop))

    def summary(self) -> str:
        return "; ".join(f"{c.source}: displayed {c.before:.2f} -> {c.now:.2f}" + (" (stars flip)" if c.flipped else "")
                         for c in self.changes)

    def details(self) -> dict[str, Any]:
        return {**super().details(), "window": self.window.as_dict(), "changes": [
            {"source": c.source, "before": c.before, "now": c.now, "flipped": c.flipped} for c in self.changes]}


def compare_displays(options: Any, before: RatingSnapshot, now: RatingSnapshot) -> DisplayChange | None:
    """The change of one source's display if it deserves an alert, else None."""
    if now.rating_count is not None and now.rating_count < options.min_rating_count:
        return None
    change = DisplayChange(now.source, before.average, now.average, displayed_stars(before.average, options.round_to),
                           displayed_stars(now.average, options.round_to), now.rating_count, False)
    flipped = options.star_flip and change.now_stars < change.before_stars
    thresholds = [t for t in (options.min_drop, options.min_drop_percent) if t is not None]
    percent = 100 * change.drop / before.average if before.average else 0.0
    big_enough = bool(thresholds) and change.drop > 0 and (
        (options.min_drop is None or change.drop >= options.min_drop)
        and (options.min_drop_percent is None or percent >= options.min_drop_percent))
    if not (flipped or big_enough):
        return None
    return DisplayChange(**{**change.__dict__, "flipped": flipped})


class DisplayedRatingDropRule(RuleType):
    type_name = "displayed_rating_drop"
    options_model = DisplayedRatingDropOptions

    def evaluate_with(self, store: "ReviewStore", options: Any, entity_ids: Sequence[str],
                      now: datetime) -> list[Evaluation]:
        if not entity_ids:
            return []
        window = Window(now - timedelta(days=options.window_days), now)
        latest = store.snapshots_before(list(entity_ids), now)
        earlier = store.snapshots_before(list(entity_ids), window.start)
        return [self._decide(options, e, latest[e], earlier[e], window, now) for e in entity_ids]

    def _decide(self, options: Any, entity_id: str, latest: list[RatingSnapshot], earlier: list[RatingSnapshot],
                window: Window, now: datetime) -> Evaluation:
        before_by_source = {s.source: s for s in earlier}
        pairs = [(before_by_source[s.source], s) for s in latest if s.source in before_by_source]
        if not pairs:
            return insufficient(options, entity_id, f"no source has a displayed rating both now and "
                                                    f"{options.window_days} days ago")
        changes = [c for c in (compare_displays(options, before, after) for before, after in pairs) if c]
        if not changes:
            return clear(options, entity_id, "no displayed rating fell enough or lost a star")
        return matched(DisplayedRatingDropMatch(rule_id=options.id, rule_type=self.type_name, entity_id=entity_id,
                                                evaluated_at=now, changes=tuple(changes), window=window))

    def explain(self, settings: "Settings", store: "ReviewStore", match: RuleMatch) -> dict[str, Any]:
        assert isinstance(match, DisplayedRatingDropMatch)
        window = match.window
        baseline = Window(window.start - timedelta(days=30), window.start)
        return {
            "reviews": store.lowest_rated(match.entity_id, window.start, window.end, limit=3),
            "competitors": explain.competitors(settings, store, match.entity_id, baseline, window),
            "chart": explain.rating_trend(store, match.entity_id, window.end),
        }

"""``sentiment_drop``: what reviews *say* got worse, overall and for the aspects watched.

Mean ``sentiment_score`` (-1..1, set by the analysis workers) of the last ``recent_days``
against the ``baseline_days`` before. ``aspects`` adds per-aspect checks (``["*"]`` for every
aspect seen), each with its own small-sample guard ``min_aspect_reviews``: "service fell from
+0.6 to -0.2" is caught even when the overall mean barely moves. Every threshold is
``min_drop`` on the sentiment scale. Store traffic: two ``sentiment_stats`` reads per option set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Sequence

from search.backends.alert_stats import SentimentStats
from workers.alerts import explain
from workers.alerts.rules.base import Evaluation, RuleMatch, RuleType, Window, clear, insufficient, matched
from workers.alerts.rules.options import SentimentDropOptions
from workers.alerts.rules.rating_drop import rating_drop_windows

if TYPE_CHECKING:
    from config.settings import Settings
    from search.backends.base import ReviewStore

_PRECISION = 9
QUOTED_REVIEWS = 3


@dataclass(frozen=True, kw_only=True)
class SentimentDropMatch(RuleMatch):
    before: float
    now: float
    before_count: int
    now_count: int
    overall_dropped: bool
    aspects: tuple[explain.AspectChange, ...]
    baseline_window: Window
    recent_window: Window

    def summary(self) -> str:
        parts = [f"sentiment {self.before:+.2f} -> {self.now:+.2f}"] if self.overall_dropped else []
        parts += [f"{a.aspect} {a.before:+.2f} -> {a.now:+.2f}" for a in self.aspects]
        return "; ".join(parts) + f" over the last {self.recent_window.days:g} days"

    def details(self) -> dict[str, Any]:
        return {**super().details(), "before": self.before, "now": self.now, "before_count": self.before_count,
                "now_count": self.now_count, "overall_dropped": self.overall_dropped,
                "aspects": [{"aspect": a.aspect, "before": a.before, "now": a.now} for a in self.aspects],
                "recent_window": self.recent_window.as_dict(), "baseline_window": self.baseline_window.as_dict()}


def aspect_drops(options: Any, before: SentimentStats, now: SentimentStats) -> list[explain.AspectChange]:
    watched = options.aspects or []
    names = sorted(now.aspects) if "*" in watched else watched
    drops = []
    for name in names:
        old, new = before.aspects.get(name), now.aspects.get(name)
        if old is None or new is None or old.average is None or new.average is None:
            continue
        if min(old.count, new.count) < options.min_aspect_reviews:
            continue
        if round(old.average - new.average, _PRECISION) >= options.min_drop:
            drops.append(explain.AspectChange(name, old.average, new.average, old.count, new.count))
    return sorted(drops, key=lambda change: (change.change, change.aspect))


class SentimentDropRule(RuleType):
    type_name = "sentiment_drop"
    options_model = SentimentDropOptions

    def evaluate_with(self, store: "ReviewStore", options: Any, entity_ids: Sequence[str],
                      now: datetime) -> list[Evaluation]:
        if not entity_ids:
            return []
        baseline, recent = rating_drop_windows(now, options.recent_days, options.baseline_days)
        by_aspect = bool(options.aspects)
        before = store.sentiment_stats(list(entity_ids), baseline.start, baseline.end, by_aspect=by_aspect)
        after = store.sentiment_stats(list(entity_ids), recent.start, recent.end, by_aspect=by_aspect)
        return [self._decide(options, e, before[e], after[e], (baseline, recent), now) for e in entity_ids]

    def _decide(self, options: Any, entity_id: str, before: SentimentStats, after: SentimentStats,
                windows: tuple[Window, Window], now: datetime) -> Evaluation:
        if after.count < options.min_recent_reviews or after.average is None:
            return insufficient(options, entity_id, f"{after.count} scored recent reviews, fewer than "
                                                    f"min_recent_reviews={options.min_recent_reviews}")
        if before.count < options.min_baseline_reviews or before.average is None:
            return insufficient(options, entity_id, f"{before.count} scored baseline reviews, fewer than "
                                                    f"min_baseline_reviews={options.min_baseline_reviews}")
        overall = round(before.average - after.average, _PRECISION) >= options.min_drop
        aspects = aspect_drops(options, before, after)
        if not overall and not aspects:
            return clear(options, entity_id, f"sentiment {before.average:+.2f} -> {after.average:+.2f}, "
                                             f"no drop of min_drop={options.min_drop}")
        return matched(SentimentDropMatch(
            rule_id=options.id, rule_type=self.type_name, entity_id=entity_id, evaluated_at=now,
            before=before.average, now=after.average, before_count=before.count, now_count=after.count,
            overall_dropped=overall, aspects=tuple(aspects), baseline_window=windows[0], recent_window=windows[1],
        ))

    def explain(self, settings: "Settings", store: "ReviewStore", match: RuleMatch) -> dict[str, Any]:
        assert isinstance(match, SentimentDropMatch)
        recent, baseline = match.recent_window, match.baseline_window
        return {
            "reviews": store.lowest_rated(match.entity_id, recent.start, recent.end, limit=QUOTED_REVIEWS),
            "aspects": list(match.aspects) or explain.aspect_changes(store, match.entity_id, baseline, recent),
            "competitors": explain.competitors(settings, store, match.entity_id, baseline, recent),
            "chart": explain.rating_trend(store, match.entity_id, recent.end),
        }

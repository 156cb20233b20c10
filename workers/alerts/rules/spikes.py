"""``negative_spike`` and ``volume_spike``: the current window against the windows before it.

The baseline is ``baseline_windows`` windows of the same length (``window_hours``) just before
the current one, so "24 hours against the 28 days before" compares like with like. A spike needs
every configured threshold:

- ``min_count``: the small-sample guard (three bad reviews in a day, not one);
- ``min_ratio``: current count / baseline mean;
- ``min_stddevs``: how many standard deviations above the baseline mean. Counts of independent
  reviews spread at least like a Poisson count, so the deviation used is never below
  ``sqrt(mean)``: a baseline of exactly one review a day does not make two reviews "infinitely"
  unusual. A baseline with no review at all is taken as one review over the whole baseline.

Store traffic: one ``review_counts`` call per option set, all entities and windows at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Sequence

from workers.alerts import explain
from workers.alerts.rules.base import Evaluation, RuleMatch, RuleType, Window, clear, insufficient, matched
from workers.alerts.rules.options import NegativeSpikeOptions, VolumeSpikeOptions

if TYPE_CHECKING:
    from config.settings import Settings
    from search.backends.base import ReviewStore

QUOTED_REVIEWS = 3


@dataclass(frozen=True)
class SpikeFigures:
    current: int
    mean: float
    stddev: float
    ratio: float
    stddevs: float


def spike_figures(counts: Sequence[int]) -> SpikeFigures:
    """Figures of ``counts[0]`` (the current window) against ``counts[1:]`` (the baseline)."""
    current, baseline = counts[0], counts[1:]
    # Plain float sums: statistics.pstdev is exact (fractions) and 100 times slower, which shows
    # at 10,000 entities; counts are small integers, so floats lose nothing here.
    mean = sum(baseline) / len(baseline)
    variance = max(0.0, sum(c * c for c in baseline) / len(baseline) - mean * mean)
    expected = max(mean, 1 / len(baseline))
    spread = max(math.sqrt(variance), math.sqrt(expected))
    return SpikeFigures(current, mean, spread, current / expected, (current - mean) / spread)


@dataclass(frozen=True, kw_only=True)
class SpikeMatch(RuleMatch):
    current: int
    baseline_mean: float
    stddevs: float
    ratio: float
    window: Window
    baseline_windows: int

    @property
    def window_hours(self) -> float:
        return self.window.days * 24

    def summary(self) -> str:
        return (f"{self.current} reviews in {self.window_hours:g} h against {self.baseline_mean:.1f} usually "
                f"(x{self.ratio:.1f}, {self.stddevs:.1f} standard deviations)")

    def details(self) -> dict[str, Any]:
        return {**super().details(), "current": self.current, "baseline_mean": self.baseline_mean,
                "ratio": self.ratio, "stddevs": self.stddevs, "window": self.window.as_dict(),
                "baseline_windows": self.baseline_windows}


class SpikeRule(RuleType):
    """Shared spike evaluation; subclasses choose which reviews are counted."""

    def count_filter(self, options: Any) -> dict[str, Any]:
        return {}

    def evaluate_with(self, store: "ReviewStore", options: Any, entity_ids: Sequence[str],
                      now: datetime) -> list[Evaluation]:
        if not entity_ids:
            return []
        period = timedelta(hours=options.window_hours)
        counts = store.review_counts(list(entity_ids), now, period, options.baseline_windows + 1,
                                     **self.count_filter(options))
        window = Window(now - period, now)
        return [self._decide(options, entity_id, counts[entity_id], window, now) for entity_id in entity_ids]

    def _decide(self, options: Any, entity_id: str, counts: list[int], window: Window, now: datetime) -> Evaluation:
        if self.needs_baseline and not any(counts[1:]):
            return insufficient(options, entity_id, "no reviews at all in the baseline windows")
        figures = spike_figures(counts)
        if figures.current < options.min_count:
            return clear(options, entity_id, f"{figures.current} reviews, fewer than min_count={options.min_count}")
        if options.min_ratio is not None and figures.ratio < options.min_ratio:
            return clear(options, entity_id, f"x{figures.ratio:.2f}, under min_ratio={options.min_ratio}")
        if options.min_stddevs is not None and figures.stddevs < options.min_stddevs:
            return clear(options, entity_id, f"{figures.stddevs:.2f} deviations, under min_stddevs={options.min_stddevs}")
        return matched(SpikeMatch(
            rule_id=options.id, rule_type=self.type_name, entity_id=entity_id, evaluated_at=now,
            current=figures.current, baseline_mean=figures.mean, stddevs=figures.stddevs, ratio=figures.ratio,
            window=window, baseline_windows=options.baseline_windows,
        ))

    needs_baseline = False

    def explain(self, settings: "Settings", store: "ReviewStore", match: RuleMatch) -> dict[str, Any]:
        assert isinstance(match, SpikeMatch)
        options = self.options_for(match.entity_id)
        period = timedelta(hours=options.window_hours)
        baseline = Window(match.window.start - period * options.baseline_windows, match.window.start)
        filters = self.count_filter(options)
        reviews = store.matching_reviews([match.entity_id], match.window.start, match.window.end,
                                         max_rating=filters.get("max_rating"), limit=QUOTED_REVIEWS)
        return {
            "reviews": reviews,
            "aspects": explain.aspect_changes(store, match.entity_id, baseline, match.window),
            "authenticity": explain.authenticity_notes(store, match.entity_id, match.window),
            "chart": explain.count_trend(store, match.entity_id, match.window.end, period,
                                         min(options.baseline_windows + 1, 15), **filters),
        }


class NegativeSpikeRule(SpikeRule):
    type_name = "negative_spike"
    options_model = NegativeSpikeOptions

    def count_filter(self, options: Any) -> dict[str, Any]:
        if options.negative_max_rating is None and not options.negative_sentiment:
            raise ValueError(f"rule {options.id!r}: set negative_max_rating or negative_sentiment: true")
        return {"max_rating": options.negative_max_rating,
                "sentiment_labels": ["negative"] if options.negative_sentiment else None}


class VolumeSpikeRule(SpikeRule):
    type_name = "volume_spike"
    options_model = VolumeSpikeOptions
    needs_baseline = True

"""``competitor_overtake``: a competitor of the same group passes us, or the gap moves against us.

For each watched entity with a competitor group, the smoothed average rating of the last
``window_days`` is compared with the window before, for the entity and each fellow member.
Averages are Bayesian-smoothed (``smoothing_weight`` reviews at ``smoothing_mean`` stars, the
prior Trustpilot documents, 7 × 3.5★), so a rival with three 5★ reviews does not "overtake" a
business with three hundred at 4.6★. It fires when ``overtake`` is on and a competitor that was
at or below us is now above, or when the gap to one moved against us by ``min_gap_change``.
Entities and competitors with fewer than ``min_reviews`` in either window are left out.

Reads ``settings.entities`` (groups). Store traffic: two ``rating_stats`` reads for every entity
and competitor at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Sequence

from search.backends.base import RatingStats
from workers.alerts.rules.base import (
    Evaluation, RuleMatch, RuleType, Window, clear, entity_index, insufficient, matched,
)
from workers.alerts.rules.options import CompetitorOvertakeOptions
from workers.alerts.rules.rating_drop import smoothed

if TYPE_CHECKING:
    from config.settings import Settings
    from search.backends.base import ReviewStore

_PRECISION = 9


@dataclass(frozen=True)
class GapChange:
    competitor_id: str
    competitor_name: str
    ours_before: float
    ours_now: float
    theirs_before: float
    theirs_now: float
    overtaken: bool

    @property
    def gap_before(self) -> float:
        return round(self.ours_before - self.theirs_before, _PRECISION)

    @property
    def gap_now(self) -> float:
        return round(self.ours_now - self.theirs_now, _PRECISION)

    @property
    def lost(self) -> float:
        return round(self.gap_before - self.gap_now, _PRECISION)


@dataclass(frozen=True, kw_only=True)
class CompetitorOvertakeMatch(RuleMatch):
    changes: tuple[GapChange, ...]
    window: Window

    def summary(self) -> str:
        return "; ".join(f"{c.competitor_name} {'overtook us' if c.overtaken else 'gained'} "
                         f"(gap {c.gap_before:+.2f} -> {c.gap_now:+.2f})" for c in self.changes)

    def details(self) -> dict[str, Any]:
        return {**super().details(), "window": self.window.as_dict(), "changes": [
            {"competitor": c.competitor_id, "gap_before": c.gap_before, "gap_now": c.gap_now,
             "overtaken": c.overtaken} for c in self.changes]}


class CompetitorOvertakeRule(RuleType):
    type_name = "competitor_overtake"
    options_model = CompetitorOvertakeOptions

    def _groups(self, entity_ids: Sequence[str]) -> dict[str, list[Any]]:
        if self.settings is None:
            raise ValueError("competitor_overtake needs the settings (entity groups); build it with the loader")
        index = entity_index(self.settings)
        members: dict[str, list[Any]] = {}
        for entity_id in entity_ids:
            group = index.by_id[entity_id].group
            members[entity_id] = [e for e in index.members.get(group, []) if e.id != entity_id] if group else []
        return members

    def evaluate_with(self, store: "ReviewStore", options: Any, entity_ids: Sequence[str],
                      now: datetime) -> list[Evaluation]:
        if not entity_ids:
            return []
        rivals = self._groups(entity_ids)
        everyone = list(dict.fromkeys([*entity_ids, *(r.id for group in rivals.values() for r in group)]))
        window = Window(now - timedelta(days=options.window_days), now)
        previous = Window(window.start - timedelta(days=options.window_days), window.start)
        current_stats = store.rating_stats(everyone, window.start, window.end)
        previous_stats = store.rating_stats(everyone, previous.start, previous.end)

        def score(stats: dict[str, RatingStats], entity_id: str) -> float | None:
            s = stats.get(entity_id)
            if s is None or s.average is None or s.count < options.min_reviews:
                return None
            return smoothed(s.average, s.count, options.smoothing_weight, options.smoothing_mean)

        results = []
        for entity_id in entity_ids:
            ours = (score(previous_stats, entity_id), score(current_stats, entity_id))
            theirs = {r.id: (r.name, score(previous_stats, r.id), score(current_stats, r.id)) for r in rivals[entity_id]}
            results.append(self._decide(options, entity_id, ours, theirs, window, now))
        return results

    def _decide(self, options: Any, entity_id: str, ours: tuple, theirs: dict, window: Window,
                now: datetime) -> Evaluation:
        if not theirs:
            return clear(options, entity_id, "no competitor group")
        if None in ours:
            return insufficient(options, entity_id, f"fewer than min_reviews={options.min_reviews} in a window")
        changes = []
        for rival_id, (name, before, after) in theirs.items():
            if before is None or after is None:
                continue
            change = GapChange(rival_id, name, ours[0], ours[1], before, after, False)
            overtaken = options.overtake and change.gap_before >= 0 > change.gap_now
            moved = options.min_gap_change is not None and change.lost >= options.min_gap_change
            if overtaken or moved:
                changes.append(GapChange(**{**change.__dict__, "overtaken": overtaken}))
        if not changes:
            return clear(options, entity_id, "no competitor passed us or gained min_gap_change")
        changes.sort(key=lambda c: (not c.overtaken, -c.lost))
        return matched(CompetitorOvertakeMatch(rule_id=options.id, rule_type=self.type_name, entity_id=entity_id,
                                               evaluated_at=now, changes=tuple(changes), window=window))

    def explain(self, settings: "Settings", store: "ReviewStore", match: RuleMatch) -> dict[str, Any]:
        from workers.alerts import explain

        assert isinstance(match, CompetitorOvertakeMatch)
        window = match.window
        return {
            "reviews": store.lowest_rated(match.entity_id, window.start, window.end, limit=3),
            "aspects": explain.aspect_changes(store, match.entity_id,
                                              Window(window.start - (window.end - window.start), window.start), window),
            "chart": explain.rating_trend(store, match.entity_id, window.end),
        }

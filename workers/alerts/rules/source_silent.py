"""``source_silent``: a configured source gives us nothing new. For operators, never customers.

Per configured source of each watched entity (``settings.entities[].sources``):

- no review stored at all: it has never been collected;
- no crawl stored one of its reviews for ``stale_hours``: crawling fails (every crawl re-stores
  what it reads, refreshing ``collected_at``);
- no review published for ``silent_hours``: the source went quiet (a broken listing, a page
  that moved, or simply nobody writing; operators judge).

Emails go to ``alerts.operators`` (see ``RuleType.recipients``): a broken crawler pages the
people who can fix it, a rating drop emails the customer, and the two never mix. Reads
``settings.entities``. Store traffic: one ``source_activity`` read. No backfill: collection
times are overwritten by every crawl, so the past cannot be replayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Sequence

from workers.alerts.rules.base import Evaluation, RuleMatch, RuleType, clear, entity_index, matched
from workers.alerts.rules.options import SourceSilentOptions

if TYPE_CHECKING:
    from config.settings import Settings
    from search.backends.base import ReviewStore


@dataclass(frozen=True)
class SourceProblem:
    source: str
    problem: Literal["never_collected", "crawl_failing", "no_new_reviews"]
    since: datetime | None


@dataclass(frozen=True, kw_only=True)
class SourceSilentMatch(RuleMatch):
    problems: tuple[SourceProblem, ...]

    def summary(self) -> str:
        return "; ".join(f"{p.source}: {p.problem.replace('_', ' ')}"
                         + (f" since {p.since:%Y-%m-%d %H:%M}" if p.since else "") for p in self.problems)

    def details(self) -> dict[str, Any]:
        return {**super().details(), "problems": [
            {"source": p.source, "problem": p.problem, "since": p.since.isoformat() if p.since else None}
            for p in self.problems]}


class SourceSilentRule(RuleType):
    type_name = "source_silent"
    options_model = SourceSilentOptions
    audience = "operators"
    supports_backfill = False

    def evaluate_with(self, store: "ReviewStore", options: Any, entity_ids: Sequence[str],
                      now: datetime) -> list[Evaluation]:
        if not entity_ids:
            return []
        if self.settings is None:
            raise ValueError("source_silent needs the settings (configured sources); build it with the loader")
        activity = store.source_activity(list(entity_ids), until=None)
        index = entity_index(self.settings)
        results = []
        for entity_id in entity_ids:
            seen = {a.source: a for a in activity[entity_id]}
            problems = []
            for source in index.by_id[entity_id].sources:
                problem = self._problem(options, source.id, seen.get(source.id), now)
                if problem:
                    problems.append(problem)
            if problems:
                results.append(matched(SourceSilentMatch(rule_id=options.id, rule_type=self.type_name,
                                                         entity_id=entity_id, evaluated_at=now, problems=tuple(problems))))
            else:
                results.append(clear(options, entity_id, "every configured source is fresh"))
        return results

    @staticmethod
    def _problem(options: Any, source_id: str, activity: Any, now: datetime) -> SourceProblem | None:
        if activity is None:
            return SourceProblem(source_id, "never_collected", None)
        collected, published = activity.last_collected_at, activity.last_published_at
        if collected is None or collected < now - timedelta(hours=options.stale_hours):
            return SourceProblem(source_id, "crawl_failing", collected)
        if published is None or published < now - timedelta(hours=options.silent_hours):
            return SourceProblem(source_id, "no_new_reviews", published)
        return None

    def explain(self, settings: "Settings", store: "ReviewStore", match: RuleMatch) -> dict[str, Any]:
        assert isinstance(match, SourceSilentMatch)
        urls = {s.id: s.url for s in settings.entity(match.entity_id).sources}
        return {"source_urls": urls}

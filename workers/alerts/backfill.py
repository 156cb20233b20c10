"""Replay the rules over past days: record what would have fired, as historical incidents, silently.

``simulate`` evaluates one rule at ``since + step``, ``since + 2 step``... as if each moment
were "now", and runs the incident lifecycle in memory with ``historical=True``: no event, no
email, no delivery. ``backfill_alerts`` saves the result (ids derived from the rule, entity and
opening time, so running it twice rewrites the same records). Incidents still open at the end
are closed with ``resolution="backfill_end"``: the live pass that follows decides about the
present on its own, and emails it if the condition holds now.

Used by a rule's first run (``engine``, ``alerts.backfill_days``) and ``starwatch alerts
test-rule`` (``capabilities.alerting.test_rule``, which only prints). Rules whose data cannot be
replayed (``supports_backfill = False``, e.g. ``source_silent``) are skipped. Reads
``settings.entities`` (who each rule watches).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Sequence

from search.documents import Incident
from workers.alerts.lifecycle import Policy, advance
from workers.alerts.rules import RuleType

if TYPE_CHECKING:
    from config.settings import Settings
    from search.backends.base import ReviewStore

DAY = timedelta(days=1)


@dataclass
class BackfillResult:
    recorded: int = 0
    incidents: list[Incident] = field(default_factory=list)


def evaluation_times(since: datetime, until: datetime, step: timedelta, *, include_until: bool) -> list[datetime]:
    """``since + step, since + 2 step, ...`` strictly before ``until`` (or up to it, inclusive)."""
    if step <= timedelta(0):
        raise ValueError("the backfill step must be positive")
    times, moment = [], since + step
    while moment < until or (include_until and moment == until):
        times.append(moment)
        moment += step
    if include_until and (not times or times[-1] != until):
        times.append(until)
    return times


def simulate(settings: "Settings", store: "ReviewStore", rule: RuleType, since: datetime, until: datetime,
             step: timedelta = DAY, *, include_until: bool = False, close_at_end: bool = True) -> list[Incident]:
    """The historical incidents ``rule`` would have had between ``since`` and ``until`` (no writes)."""
    targets = rule.entity_ids(settings)
    open_now: dict[str, Incident] = {}
    finished: list[Incident] = []
    for moment in evaluation_times(since, until, step, include_until=include_until):
        for evaluation in rule.evaluate(store, targets, moment):
            policy = Policy.of(rule.options_for(evaluation.entity_id), rule.event_based, rule.audience)
            result = advance(open_now.get(evaluation.entity_id), evaluation, policy, moment, historical=True)
            if result.incident is None:
                continue
            if result.incident.status == "resolved":
                finished.append(result.incident)
                open_now.pop(evaluation.entity_id, None)
            else:
                open_now[evaluation.entity_id] = result.incident
    for incident in open_now.values():
        if close_at_end:
            incident = incident.model_copy(update={"status": "resolved", "resolved_at": until,
                                                   "resolution": "backfill_end"})
        finished.append(incident)
    return sorted(finished, key=lambda i: (i.opened_at, i.entity_id))


def backfill_alerts(settings: "Settings", store: "ReviewStore", *, since: datetime, until: datetime,
                    rules: Sequence[RuleType], step: timedelta = DAY) -> BackfillResult:
    """Record the historical incidents of ``rules`` over ``[since, until)``; never emails."""
    result = BackfillResult()
    for rule in rules:
        if not rule.supports_backfill:
            continue
        result.incidents.extend(simulate(settings, store, rule, since, until, step))
    store.save_incidents(result.incidents)
    result.recorded = len(result.incidents)
    return result

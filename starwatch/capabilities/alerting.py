"""Alerting capabilities: evaluate now, dry-run a rule on stored data, list, acknowledge, resolve.

The CLI (``starwatch alerts ...``) and the API to come call these; each opens the configured store
for the call and closes it. Logic lives in ``workers.alerts``; these functions only check input
and shape results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal, Sequence

from config import Settings
from search.documents import Incident, utcnow
from starwatch.capabilities.stores import open_store

DURATION = re.compile(r"^\s*(\d+)\s*([hdw])\s*$")
UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


class AlertInputError(ValueError):
    """A mistake in what the user asked (unknown incident, bad duration); the message says what to do."""


def parse_duration(text: str, option: str = "--since") -> timedelta:
    """``90d``, ``36h`` or ``2w`` as a timedelta."""
    found = DURATION.match(text or "")
    if not found or int(found.group(1)) == 0:
        raise AlertInputError(f"{option} {text!r} is not a duration; write a number and h, d or w, like 90d, 36h or 2w")
    return int(found.group(1)) * UNITS[found.group(2)]


def run_alert_rules(settings: Settings, *, now: datetime | None = None,
                    entity_ids: Sequence[str] | None = None):
    """Run every configured rule over the store and send the due emails; returns the engine's ``AlertRun``.

    Incidents already open are not emailed again, so running this twice sends nothing new.
    """
    from workers.alerts.engine import run_alerts

    for entity_id in entity_ids or ():
        settings.entity(entity_id)
    with open_store(settings) as store:
        return run_alerts(settings, store, now=now, entity_ids=list(entity_ids) if entity_ids else None)


@dataclass
class RuleDryRun:
    """What a rule would have done over a past period: no incident recorded, no email sent."""

    rule_id: str
    rule_type: str
    since: datetime
    until: datetime
    step_hours: float
    entities: int
    incidents: list[Incident] = field(default_factory=list)
    note: str | None = None

    @property
    def would_fire(self) -> int:
        return len(self.incidents)


def dry_run_rule(settings: Settings, rule_file: Path | str, *, since: str = "90d", step: str = "1d",
              now: datetime | None = None) -> RuleDryRun:
    """Dry-run one rule file on stored data, evaluated every ``step`` over the last ``since``.

    The file is validated exactly like at load time. Incidents still open at the end are shown
    open. Nothing is written to the store and nothing is sent.
    """
    from workers.alerts.backfill import simulate
    from workers.alerts.loader import load_rule_file

    period, interval = parse_duration(since), parse_duration(step, "--step")
    rule = load_rule_file(rule_file, settings)
    until = now or utcnow()
    start, note = until - period, None
    if not rule.supports_backfill:
        start, note = until - interval, f"{rule.type_name} cannot replay the past; evaluated at the current time only"
    with open_store(settings) as store:
        incidents = simulate(settings, store, rule, start, until, interval, include_until=True, close_at_end=False)
    return RuleDryRun(rule.rule_id, rule.type_name, start, until, interval / timedelta(hours=1),
                      len(rule.entity_ids(settings)), incidents, note)


def list_alerts(settings: Settings, *, status: Literal["open", "resolved"] | None = "open",
                include_historical: bool = False) -> list[Incident]:
    """Incidents, newest first; historical ones (backfill) only on request."""
    with open_store(settings) as store:
        incidents = store.list_incidents(status)
    return [i for i in incidents if include_historical or not i.historical]


def acknowledge_alert(settings: Settings, incident_id: str, *, by: str | None = None,
                      now: datetime | None = None) -> Incident:
    """Mark an open incident as seen: no more reminders or update emails; it still resolves (and says so)."""
    with open_store(settings) as store:
        incident = _open_incident(store, incident_id)
        acknowledged = incident.model_copy(update={"acknowledged_at": now or utcnow(), "acknowledged_by": _who(by)})
        store.save_incident(acknowledged)
    return acknowledged


def resolve_alert(settings: Settings, incident_id: str, *, by: str | None = None,
                  now: datetime | None = None) -> Incident:
    """Close an open incident by hand (no email). If the condition still holds, the next pass opens a new one:
    acknowledge instead to keep a persisting condition quiet."""
    with open_store(settings) as store:
        incident = _open_incident(store, incident_id)
        resolved = incident.model_copy(update={"status": "resolved", "resolved_at": now or utcnow(),
                                               "resolution": "manual", "resolved_by": _who(by)})
        store.save_incident(resolved)
    return resolved


def backfill_history(settings: Settings, *, since: str = "90d", step: str = "1d", now: datetime | None = None):
    """Record what every rule would have fired over ``since`` as historical incidents (never emailed)."""
    from workers.alerts.backfill import backfill_alerts
    from workers.alerts.loader import load_rules

    until = now or utcnow()
    with open_store(settings) as store:
        return backfill_alerts(settings, store, since=until - parse_duration(since), until=until,
                               rules=load_rules(settings), step=parse_duration(step, "--step"))


def _open_incident(store, incident_id: str) -> Incident:
    incident = store.get_incident(incident_id)
    if incident is None:
        raise AlertInputError(f"no alert {incident_id!r}; list the open ones with: starwatch alerts list")
    if incident.status != "open":
        raise AlertInputError(f"alert {incident_id} is already resolved ({incident.resolved_at:%Y-%m-%d %H:%M} UTC)")
    return incident


def _who(by: str | None) -> str | None:
    """A single line of at most 100 characters (it is shown in lists and emails)."""
    if by is None:
        return None
    return " ".join(by.split())[:100] or None

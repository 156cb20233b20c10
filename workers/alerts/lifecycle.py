"""The incident lifecycle as one pure function: what one evaluation does to one (rule, entity).

``advance(open_incident, evaluation, policy, now, latest=...)`` returns a ``Step``: the incident
to save (if anything changed) and the email event to record (if any). No I/O, no clock: the
engine feeds it, tests call it with a frozen ``now``.

The rules it applies:

- a match with no open incident **opens** one (event ``opened``); its id is derived from the
  rule, the entity and the incident opened before it, so two workers evaluating the same entity
  at the same moment compute the same incident and the same event, and the delivery log keeps
  one email;
- while it stays open: nothing, except an **update** when an event rule sees reviews it has not
  reported, or a **reminder** every ``realert`` (window rules) — never once acknowledged;
- every email waits for the ``cooldown`` after the previous email of the same rule and entity
  (``not_before``), which is what stops a flapping condition from mailing on every flap;
- a ``clear`` evaluation starts the clock (``clear_since``); after ``resolve_after`` of clear
  evaluations the incident **resolves** (event ``resolved`` when ``notify_resolved``). A new
  match stops the clock; ``insufficient`` (too little data to say) leaves it as it is;
- in ``historical`` mode (backfill, first run) incidents are recorded with ``historical=True``
  and no event at all: the past is put on record, never emailed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from search.documents import AlertEvent, Incident
from workers.alerts.rules.base import Evaluation, RuleMatch


@dataclass(frozen=True)
class Policy:
    """The lifecycle options of one rule (for one entity, after overrides)."""

    cooldown: timedelta = timedelta(0)
    realert: timedelta | None = None
    resolve_after: timedelta = timedelta(0)
    notify_resolved: bool = True
    event_based: bool = False
    audience: str = "customers"

    @classmethod
    def of(cls, options: Any, event_based: bool, audience: str) -> "Policy":
        realert = getattr(options, "realert_hours", None)
        return cls(
            cooldown=timedelta(hours=getattr(options, "cooldown_hours", 0) or 0),
            realert=timedelta(hours=realert) if realert else None,
            resolve_after=timedelta(hours=getattr(options, "resolve_after_hours", 0) or 0),
            notify_resolved=getattr(options, "notify_resolved", True),
            event_based=event_based,
            audience=audience,
        )


@dataclass(frozen=True)
class Step:
    """The outcome of one evaluation for one (rule, entity)."""

    incident: Incident | None = None  # to save; None when nothing changed
    event: AlertEvent | None = None
    event_id: str | None = None
    not_before: datetime | None = None
    match: RuleMatch | None = None
    new_evidence: tuple[str, ...] = field(default=())


def incident_id_after(rule_id: str, entity_id: str, previous: Incident | None) -> str:
    """Deterministic id of the next live incident of a (rule, entity), given the one before it."""
    seed = f"{rule_id}\x1f{entity_id}\x1f{previous.incident_id if previous else '-'}"
    return "i_" + hashlib.sha1(seed.encode("utf-8")).hexdigest()[:24]


def historical_incident_id(rule_id: str, entity_id: str, opened_at: datetime) -> str:
    """Deterministic id of a historical incident: re-running a backfill rewrites the same records."""
    seed = f"{rule_id}\x1f{entity_id}\x1fhistorical\x1f{opened_at.isoformat()}"
    return "h_" + hashlib.sha1(seed.encode("utf-8")).hexdigest()[:24]


def advance(
    open_incident: Incident | None,
    evaluation: Evaluation,
    policy: Policy,
    now: datetime,
    *,
    latest: Incident | None = None,
    historical: bool = False,
) -> Step:
    """The ``Step`` for one evaluation; ``latest`` is the key's last incident (needed to open one)."""
    if evaluation.outcome == "match" and evaluation.match is not None:
        if open_incident is None:
            return _open(evaluation.match, policy, now, latest, historical)
        return _still_matching(open_incident, evaluation.match, policy, now)
    if evaluation.outcome == "clear" and open_incident is not None:
        return _clearing(open_incident, evaluation, policy, now)
    return Step()


def _not_before(last_alerted_at: datetime | None, policy: Policy, now: datetime) -> datetime:
    if last_alerted_at is None or not policy.cooldown:
        return now
    return max(now, last_alerted_at + policy.cooldown)


def _open(match: RuleMatch, policy: Policy, now: datetime, latest: Incident | None, historical: bool) -> Step:
    incident_id = (historical_incident_id(match.rule_id, match.entity_id, now) if historical
                   else incident_id_after(match.rule_id, match.entity_id, latest))
    not_before = None if historical else _not_before(latest.last_alerted_at if latest else None, policy, now)
    incident = Incident(
        incident_id=incident_id, rule_id=match.rule_id, rule_type=match.rule_type, entity_id=match.entity_id,
        opened_at=now, summary=match.summary(), details=match.details(), audience=policy.audience,
        historical=historical, evidence_ids=list(match.evidence_ids),
        last_alerted_at=None if historical else not_before,
        sequence=(latest.sequence + 1) if latest else 1,
    )
    if historical:
        return Step(incident=incident, match=match)
    return Step(incident=incident, event="opened", event_id=f"{incident_id}:opened", not_before=not_before,
                match=match, new_evidence=match.evidence_ids)


def _still_matching(incident: Incident, match: RuleMatch, policy: Policy, now: datetime) -> Step:
    changes: dict[str, Any] = {}
    if incident.clear_since is not None:
        changes["clear_since"] = None
    new = tuple(i for i in match.evidence_ids if i not in set(incident.evidence_ids))
    if new:
        changes["evidence_ids"] = [*incident.evidence_ids, *new]
    event = None
    if incident.acknowledged_at is None and not incident.historical:
        if policy.event_based and new:
            event = "update"
        elif not policy.event_based and policy.realert and incident.last_alerted_at is not None \
                and now - incident.last_alerted_at >= policy.realert:
            event = "reminder"
    if event is None:
        return Step(incident=incident.model_copy(update=changes) if changes else None, match=match)
    count = incident.alert_count + 1
    not_before = _not_before(incident.last_alerted_at, policy, now)
    changes.update(alert_count=count, last_alerted_at=not_before, summary=match.summary(),
                   details={**incident.details, **match.details()})
    return Step(incident=incident.model_copy(update=changes), event=event,
                event_id=f"{incident.incident_id}:{event}:{count}", not_before=not_before, match=match,
                new_evidence=new)


def _clearing(incident: Incident, evaluation: Evaluation, policy: Policy, now: datetime) -> Step:
    clear_since = incident.clear_since or now
    if now - clear_since < policy.resolve_after:
        if incident.clear_since is None:
            return Step(incident=incident.model_copy(update={"clear_since": clear_since}))
        return Step()
    resolved = incident.model_copy(update={
        "status": "resolved", "resolved_at": now, "resolution": "cleared", "clear_since": clear_since,
        "details": {**incident.details, "resolved_because": evaluation.reason},
    })
    if incident.historical or not policy.notify_resolved:
        return Step(incident=resolved)
    return Step(incident=resolved, event="resolved", event_id=f"{incident.incident_id}:resolved", not_before=now)

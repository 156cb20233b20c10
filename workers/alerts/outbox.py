"""Turn the email events of one pass into delivery-log records: who, what language, and how many.

For each event (an incident ``opened``, ``update``, ``reminder`` or ``resolved``) the rule says
who to tell (``RuleType.recipients``: the entity's team, a competitor's team, or operators).
Then, per recipient:

- recipients listed in ``alerts.digests`` get nothing now: their summary covers it (``digest``);
- at most ``alerts.max_emails_per_run`` emails per pass; the rest of that recipient's events go
  into ONE overflow summary, and are logged as ``merged`` into it;
- each kept email is rendered once per (language, role) in the recipient's language, with the
  rule's explanation (quotes, aspects, competitors, chart), and logged ``pending``.

A ``resolved`` event whose opening email is still waiting for its cooldown cancels that email
instead: nobody hears about an alert that came and went inside the cooldown. Delivery ids are
``<event id>/<recipient>``, so recording the same pass twice changes nothing.

Reads ``settings.alerts`` (digests, max_emails_per_run, search_base_url), ``settings.entities``
and ``settings.groups``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from search.backends.base import StoreError
from search.documents import AlertDelivery, Incident
from workers.alerts.email import RenderedEmail, render_alert, render_headline, render_set, search_link
from workers.alerts.lifecycle import Step
from workers.alerts.rules.base import Recipient, RuleMatch, RuleType, entity_index

if TYPE_CHECKING:
    from config.settings import Settings
    from search.backends.base import ReviewStore

LANGUAGES = ("en", "fr")


@dataclass
class PendingEvent:
    rule: RuleType
    step: Step
    recipients: list[Recipient] = field(default_factory=list)
    headlines: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OverflowItem:
    headline: str
    event: str


class Outbox:
    """Collects the events of one pass, then ``finish`` returns deliveries and updated incidents."""

    def __init__(self, settings: "Settings", store: "ReviewStore", now: datetime) -> None:
        self.settings, self.store, self.now = settings, store, now
        self.digest_addresses = {str(d.address).lower() for d in settings.alerts.digests}
        self.events: list[PendingEvent] = []
        self.errors: list[str] = []
        self._summaries: dict[str, tuple[tuple[str, ...], str]] = {}

    def add(self, event: PendingEvent) -> None:
        self.events.append(event)

    def summary_of(self, incident_id: str) -> tuple[tuple[str, ...], str]:
        """``(recipients, headline)`` of an opened incident, for ``AlertRun.fired``."""
        return self._summaries.get(incident_id, ((), ""))

    # -- the pass ----------------------------------------------------------------------------

    def finish(self, incidents: list[Incident]) -> tuple[list[AlertDelivery], list[Incident]]:
        by_id = {i.incident_id: i for i in incidents}
        kept_events = []
        for event in self.events:
            incident = by_id[event.step.incident.incident_id]
            if incident.status == "resolved":
                deferred = incident.last_alerted_at is not None and incident.last_alerted_at > self.now
                if (deferred and self._cancel_unsent_opening(incident)) or event.step.event is None:
                    continue
            by_id[incident.incident_id] = self._prepare(event, incident)
            kept_events.append(event)
        deliveries = self._allocate(kept_events, by_id)
        return deliveries, list(by_id.values())

    def _prepare(self, event: PendingEvent, incident: Incident) -> Incident:
        """Recipients and headlines of one event; opened incidents keep their headlines for later emails."""
        step = event.step
        entity = entity_index(self.settings).by_id[incident.entity_id]
        match = step.match or RuleMatch(incident.rule_id, incident.rule_type, incident.entity_id, self.now)
        event.recipients = [r for r in event.rule.recipients(self.settings, match)
                            if r.address.lower() not in self.digest_addresses]
        if step.event == "opened":
            headlines = {language: render_headline(match, entity, language) for language in LANGUAGES}
            incident = incident.model_copy(update={"details": {**incident.details, "headline": headlines}})
            operators = event.rule.audience == "operators"
            own_language = self.settings.alerts.operators_language if operators else entity.language
            addresses = tuple(r.address for r in event.recipients)
            self._summaries[incident.incident_id] = (addresses, headlines[own_language])
        stored = incident.details.get("headline") or {}
        event.headlines = {language: stored.get(language) or incident.summary for language in LANGUAGES}
        return incident

    def _cancel_unsent_opening(self, incident: Incident) -> bool:
        """Cancel an opening email still waiting for its cooldown; True when one was cancelled."""
        try:
            pending = self.store.list_deliveries(["pending"], incident_id=incident.incident_id)
        except StoreError as exc:
            self.errors.append(f"alert {incident.incident_id}: cannot check its pending emails: {exc}")
            return False
        waiting = [d for d in pending if d.event == "opened" and d.attempts == 0 and d.not_before > self.now]
        if not waiting:
            return False
        for delivery in pending:
            self.store.save_delivery(delivery.model_copy(update={"status": "cancelled",
                                                                 "last_error": "resolved before its cooldown ended"}))
        return True

    def _allocate(self, events: list[PendingEvent], incidents: dict[str, Incident]) -> list[AlertDelivery]:
        limit = self.settings.alerts.max_emails_per_run
        sent_to: dict[str, int] = {}
        overflow: dict[str, list[tuple[PendingEvent, Recipient]]] = {}
        deliveries: list[AlertDelivery] = []
        rendered: dict[tuple[int, str, str], RenderedEmail] = {}
        explanations: dict[int, dict[str, Any]] = {}
        for index, event in enumerate(events):
            incident = incidents[event.step.incident.incident_id]
            for recipient in event.recipients:
                if sent_to.get(recipient.address, 0) >= limit:
                    overflow.setdefault(recipient.address, []).append((event, recipient))
                    continue
                sent_to[recipient.address] = sent_to.get(recipient.address, 0) + 1
                key = (index, recipient.language, recipient.role)
                if key not in rendered:
                    rendered[key] = self._render(event, incident, recipient, explanations, index)
                deliveries.append(self._delivery(event, incident, recipient, rendered[key]))
        for address, items in overflow.items():
            deliveries.extend(self._overflow(address, items))
        return deliveries

    # -- rendering -----------------------------------------------------------------------------

    def _render(self, event: PendingEvent, incident: Incident, recipient: Recipient,
                explanations: dict[int, dict[str, Any]], index: int) -> RenderedEmail:
        step, settings = event.step, self.settings
        entity = entity_index(settings).by_id[incident.entity_id]
        group_name = settings.group_name(entity.group) if entity.group else None
        if step.event == "resolved":
            since = incident.opened_at
            return render_set("resolved", recipient.language, {
                "incident": incident, "entity": entity, "headline": event.headlines[recipient.language],
                "reason": incident.details.get("resolved_because", ""),
                "search_url": search_link(settings.alerts.search_base_url, entity.id, since),
            })
        if index not in explanations:
            try:
                explanations[index] = event.rule.explain(settings, self.store, step.match)
            except StoreError as exc:  # the email still goes out, with the figures but without the "why"
                self.errors.append(f"alert {incident.incident_id}: explanation left out: {exc}")
                explanations[index] = {}
        window = getattr(step.match, "recent_window", None) or getattr(step.match, "window", None)
        return render_alert(
            step.match, entity, explanations[index], group_name=group_name, event=step.event or "opened",
            role=recipient.role, language=recipient.language, incident=incident, new_evidence=step.new_evidence,
            search_url=search_link(settings.alerts.search_base_url, entity.id, window.start if window else None),
        )

    def _delivery(self, event: PendingEvent, incident: Incident, recipient: Recipient,
                  rendered: RenderedEmail) -> AlertDelivery:
        step = event.step
        return AlertDelivery(
            delivery_id=f"{step.event_id}/{recipient.address}", event_id=step.event_id, event=step.event,
            recipient=recipient.address, language=recipient.language, incident_id=incident.incident_id,
            rule_id=incident.rule_id, entity_id=incident.entity_id, subject=rendered.subject, text=rendered.text,
            html=rendered.html, created_at=self.now, not_before=step.not_before or self.now,
        )

    def _overflow(self, address: str, items: list[tuple[PendingEvent, Recipient]]) -> list[AlertDelivery]:
        language = items[0][1].language
        event_ids = sorted(event.step.event_id for event, _ in items)
        overflow_id = "overflow:" + hashlib.sha1("|".join([address, *event_ids]).encode("utf-8")).hexdigest()[:24]
        summary_items = [OverflowItem(event.headlines[language], event.step.event) for event, _ in items]
        rendered = render_set("overflow", language, {"items": summary_items, "now": self.now,
                                                     "limit": self.settings.alerts.max_emails_per_run})
        summary = AlertDelivery(
            delivery_id=f"{overflow_id}/{address}", event_id=overflow_id, event="overflow", recipient=address,
            language=language, subject=rendered.subject, text=rendered.text, html=rendered.html,
            created_at=self.now, not_before=self.now,
        )
        merged = [
            AlertDelivery(
                delivery_id=f"{event.step.event_id}/{address}", event_id=event.step.event_id, event=event.step.event,
                recipient=address, language=language, incident_id=event.step.incident.incident_id,
                rule_id=event.step.incident.rule_id, entity_id=event.step.incident.entity_id,
                subject=event.headlines[language], created_at=self.now, not_before=self.now, status="merged",
                merged_into=summary.delivery_id,
            )
            for event, _ in items
        ]
        return [summary, *merged]

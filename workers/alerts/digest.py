"""Digests: one summary per day or week instead of one email per alert, for who asks for it.

``alerts.digests`` lists the recipients in digest mode (``address``, ``every: daily|weekly``,
``hour_utc``, ``weekday``, ``language``). They receive no individual alert email (``outbox``
leaves them out); instead, once per period, a summary of:

- the incidents still open for their entities (operator incidents for operators),
- those opened and resolved during the period,
- the notable reviews of the period (the lowest-rated ones, at most three stars).

A digest is due once the period's scheduled time has passed (the first one at the first
scheduled time after the recipient was configured); ``run_alerts`` (beat, every few minutes)
records it with the id ``digest:<address>:<period end>``, so it is recorded and sent once
however many passes see it due. Historical incidents (backfill) never appear. Nothing to
say means no email.

Reads ``settings.alerts.digests``, ``alerts.operators``, ``alerts.operators_language`` and
``settings.entities`` (whose recipients a digest address is).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from search.documents import AlertDelivery, Incident, Review
from workers.alerts.email import render_set

if TYPE_CHECKING:
    from config.settings import DigestRecipient, Settings
    from search.backends.base import ReviewStore

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NOTABLE_MAX_RATING = 3
NOTABLE_PER_ENTITY = 2
MAX_ENTITIES_WITH_REVIEWS = 20


@dataclass(frozen=True)
class DigestItem:
    incident: Incident
    headline: str


@dataclass(frozen=True)
class NotableReview:
    entity_name: str
    review: Review


def period_of(recipient: "DigestRecipient", now: datetime) -> tuple[datetime, datetime]:
    """``(start, end)`` of the latest period whose scheduled end is at or before ``now``."""
    end = now.replace(hour=recipient.hour_utc, minute=0, second=0, microsecond=0)
    if end > now:
        end -= timedelta(days=1)
    if recipient.every == "daily":
        return end - timedelta(days=1), end
    while WEEKDAYS[end.weekday()] != recipient.weekday:
        end -= timedelta(days=1)
    return end - timedelta(days=7), end


def record_due_digests(settings: "Settings", store: "ReviewStore", now: datetime) -> int:
    """Record every digest that is due and not recorded yet; returns how many were recorded."""
    if not settings.alerts.digests:
        return 0
    marks = store.get_alert_marks()
    incidents: list[Incident] | None = None
    deliveries, new_marks = [], []
    for recipient in settings.alerts.digests:
        start, end = period_of(recipient, now)
        mark = f"digest:{str(recipient.address).lower()}"
        if marks.get(mark) is None:  # newly configured: the first digest is the next scheduled one
            new_marks.append((mark, end))
            continue
        if marks[mark] >= end:
            continue
        if incidents is None:
            incidents = [i for i in store.list_incidents() if not i.historical]
        delivery = _digest(settings, store, recipient, incidents, start, end, now)
        if delivery is not None:
            deliveries.append(delivery)
        new_marks.append((mark, end))
    created = store.add_deliveries(deliveries)
    for mark, end in new_marks:
        store.set_alert_mark(mark, end)
    return len(created)


def _digest(settings: "Settings", store: "ReviewStore", recipient: "DigestRecipient", incidents: list[Incident],
            start: datetime, end: datetime, now: datetime) -> AlertDelivery | None:
    address = str(recipient.address)
    entities = [e for e in settings.entities if address.lower() in {str(r).lower() for r in e.recipients}]
    operator = address.lower() in {str(a).lower() for a in settings.alerts.operators}
    language = recipient.language or (entities[0].language if entities else settings.alerts.operators_language)
    entity_ids = {e.id for e in entities}
    mine = [i for i in incidents if (i.audience == "operators" and operator)
            or (i.audience == "customers" and i.entity_id in entity_ids)]

    def item(incident: Incident) -> DigestItem:
        return DigestItem(incident, (incident.details.get("headline") or {}).get(language) or incident.summary)

    open_items = [item(i) for i in mine if i.status == "open"]
    opened = [item(i) for i in mine if start <= i.opened_at < end]
    resolved = [item(i) for i in mine if i.resolved_at is not None and start <= i.resolved_at < end]
    notable = [NotableReview(e.name, review)
               for e in entities[:MAX_ENTITIES_WITH_REVIEWS]
               for review in store.lowest_rated(e.id, start, end, limit=NOTABLE_PER_ENTITY)
               if review.rating is not None and review.rating <= NOTABLE_MAX_RATING]
    if not (open_items or opened or resolved or notable):
        return None
    rendered = render_set("digest", language, {
        "every": recipient.every, "period_start": start, "period_end": end, "open_items": open_items,
        "opened_items": opened, "resolved_items": resolved, "notable": notable,
    })
    event_id = f"digest:{address.lower()}:{end.isoformat()}"
    return AlertDelivery(delivery_id=f"{event_id}/{address}", event_id=event_id, event="digest", recipient=address,
                         language=language, subject=rendered.subject, text=rendered.text, html=rendered.html,
                         created_at=now, not_before=now)

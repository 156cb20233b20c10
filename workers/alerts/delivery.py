"""Send the recorded alert emails exactly once: claim before sending, confirm after.

The engine never sends while it evaluates; it records each email in the store's delivery log
(``AlertDelivery``, keyed by incident event and recipient, with the rendered message). Then
``deliver_due`` — from the same process (``run_alerts``), or from a Celery task on the ``email``
queue — sends what is due:

1. **claim**: ``store.claim_delivery`` atomically turns ``pending`` into ``sending`` for one
   worker (a SQLite write transaction, or an Elasticsearch write conditioned on the version it
   read). A second worker gets nothing and moves on;
2. **send** through SMTP (``smtp.send_message``: TLS, login from the environment, quick retries);
3. **confirm**: the record becomes ``sent`` with the time and Message-ID.

A failed send goes back to ``pending`` with ``not_before`` pushed out (1 min, 2, 4... at most
an hour), so a server that is down or refusing delays the email, never loses it; after
``MAX_ATTEMPTS`` (about a day and a half of retries) it is marked ``failed`` and reported.

The at-least-once window, honestly: if a worker dies after the SMTP server accepted the
message (its ``250`` to DATA) but before step 3 is written — a few milliseconds — the claim goes
stale after ``alerts.delivery_claim_seconds`` and another worker sends it again. That second
copy carries the same Message-ID (derived from the delivery id), so mail clients and servers
that fold duplicates by Message-ID show one message. Every other crash point sends exactly once:
before the claim nothing happened, between claim and acceptance nothing reached the recipient.
Keep ``delivery_claim_seconds`` above the longest send (``smtp.timeout_seconds`` × attempts).

Reads ``settings.smtp`` (through the default sender) and ``settings.alerts.delivery_claim_seconds``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from functools import partial
from typing import TYPE_CHECKING, Callable

from search.backends.alert_stats import claimable
from search.backends.base import StoreError
from search.documents import AlertDelivery, utcnow
from workers.alerts.email import RenderedEmail, UnsafeHeaderError, build_message
from workers.alerts.smtp import DeliveryError, send_message

if TYPE_CHECKING:
    from config.settings import Settings
    from search.backends.base import ReviewStore

log = logging.getLogger(__name__)

Sender = Callable[[EmailMessage], None]
MAX_ATTEMPTS = 40
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
BATCH = 500


@dataclass
class DeliveryReport:
    """What one ``deliver_due`` call did."""

    sent: list[AlertDelivery] = field(default_factory=list)
    retrying: list[AlertDelivery] = field(default_factory=list)
    failed: list[AlertDelivery] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def default_claimant() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def message_id_for(delivery: AlertDelivery, sender: str) -> str:
    """A Message-ID that depends only on the delivery: a resend is recognisably the same email."""
    digest = hashlib.sha1(delivery.delivery_id.encode("utf-8")).hexdigest()[:32]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "starwatch.invalid"
    return f"<{digest}.alert@{domain}>"


def retry_delay(attempts: int) -> timedelta:
    """1 min after the first failure, doubling, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(0, attempts - 1), LONGEST_RETRY)


def deliver_due(
    settings: "Settings",
    store: "ReviewStore",
    *,
    now: datetime | None = None,
    sender: Sender | None = None,
    claimant: str | None = None,
    limit: int = BATCH,
) -> DeliveryReport:
    """Send every due alert email once; safe to call from several workers at the same time.

    :param sender: delivers an ``EmailMessage``; default ``smtp.send_message`` with ``settings.smtp``.
    :param claimant: who holds the claims (default ``host:pid``), for the log and stale takeovers.

    Example (a Celery task on the ``email`` queue)::

        deliver_due(runtime.get_settings(), runtime.get_store())
    """
    now = now or utcnow()
    send = sender or partial(send_message, smtp_settings=settings.smtp)
    claimant = claimant or default_claimant()
    stale_before = now - timedelta(seconds=settings.alerts.delivery_claim_seconds)
    report = DeliveryReport()
    try:
        due = store.list_deliveries(["pending", "sending"], limit=limit)
    except StoreError as exc:
        report.errors.append(f"cannot read the alert delivery log: {exc}")
        return report
    for delivery in due:
        if not claimable(delivery, now, stale_before):
            continue
        try:
            claimed = store.claim_delivery(delivery.delivery_id, claimant, now, stale_before)
            if claimed is not None:
                _send_claimed(settings, store, claimed, send, now, report)
        except StoreError as exc:
            report.errors.append(f"alert email {delivery.delivery_id}: store error: {exc}")
    return report


def _send_claimed(settings: "Settings", store: "ReviewStore", delivery: AlertDelivery, send: Sender,
                  now: datetime, report: DeliveryReport) -> None:
    message_id = message_id_for(delivery, settings.smtp.sender)
    rendered = RenderedEmail(delivery.subject, delivery.text, delivery.html, delivery.language)
    try:
        message = build_message(rendered, sender=settings.smtp.sender, recipients=[delivery.recipient], date=now,
                                message_id=message_id, extra_headers=_headers(delivery))
        send(message)
    except UnsafeHeaderError as exc:  # a bad address never becomes good by waiting
        failed = delivery.model_copy(update={"status": "failed", "last_error": str(exc)})
        store.save_delivery(failed)
        report.failed.append(failed)
        report.errors.append(f"alert email {delivery.delivery_id} to {delivery.recipient!r} not sent: {exc}")
        return
    except DeliveryError as exc:
        _retry_later(store, delivery, str(exc), now, report)
        return
    sent = delivery.model_copy(update={"status": "sent", "sent_at": now, "message_id": message_id, "last_error": None})
    store.save_delivery(sent)
    report.sent.append(sent)
    log.info("alert email %s sent to %s: %s", delivery.delivery_id, delivery.recipient, delivery.subject)


def _retry_later(store: "ReviewStore", delivery: AlertDelivery, error: str, now: datetime,
                 report: DeliveryReport) -> None:
    if delivery.attempts >= MAX_ATTEMPTS:
        failed = delivery.model_copy(update={"status": "failed", "last_error": error})
        store.save_delivery(failed)
        report.failed.append(failed)
        report.errors.append(f"alert email {delivery.delivery_id} abandoned after {delivery.attempts} attempts: {error}")
        return
    later = delivery.model_copy(update={"status": "pending", "last_error": error, "claimed_by": None,
                                        "not_before": now + retry_delay(delivery.attempts)})
    store.save_delivery(later)
    report.retrying.append(later)
    report.errors.append(f"alert email {delivery.delivery_id} to {delivery.recipient} not sent yet "
                         f"(attempt {delivery.attempts}, next after {later.not_before:%H:%M:%S} UTC): {error}")


def _headers(delivery: AlertDelivery) -> dict[str, str]:
    headers = {"X-Starwatch-Event": delivery.event}
    for name, value in (("X-Starwatch-Rule", delivery.rule_id), ("X-Starwatch-Entity", delivery.entity_id),
                        ("X-Starwatch-Incident", delivery.incident_id)):
        if value:
            headers[name] = value
    return headers

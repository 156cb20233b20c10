"""Exactly one email per incident event: claim before sending, confirm after, take over dead claims."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from alert_support import DAY, HOUR, NOW, reviews
from search.documents import AlertDelivery
from workers.alerts.delivery import deliver_due, message_id_for, retry_delay
from workers.alerts.engine import evaluate_alerts
from workers.alerts.smtp import DeliveryError

RULE = {"id": "drop", "type": "rating_drop"}


def recorded(alert_env, **options):
    settings, store = alert_env(rules=[RULE], **options)
    store.upsert_reviews(reviews("cafe-lumiere", [5, 4] * 5, NOW - 20 * DAY) + reviews("cafe-lumiere", [1, 2] * 4, NOW - 2 * DAY))
    run = evaluate_alerts(settings, store, now=NOW)
    assert run.deliveries_recorded == 1
    return settings, store


class CrashBeforeIncidentsAreSaved:
    """The store as seen by a worker killed between writing the emails and writing the incidents."""

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)

    def save_incidents(self, incidents):
        raise KeyboardInterrupt("worker killed")


def test_a_pass_killed_before_saving_its_incidents_is_redone_without_a_second_email(alert_env):
    settings, store = alert_env(rules=[RULE])
    store.upsert_reviews(reviews("cafe-lumiere", [5, 4] * 5, NOW - 20 * DAY) + reviews("cafe-lumiere", [1, 2] * 4, NOW - 2 * DAY))
    try:
        evaluate_alerts(settings, CrashBeforeIncidentsAreSaved(store), now=NOW)
    except KeyboardInterrupt:
        pass
    assert store.list_incidents() == [] and len(store.list_deliveries()) == 1

    again = evaluate_alerts(settings, store, now=NOW + HOUR)  # the next pass derives the same incident and event

    [incident] = store.list_incidents("open")
    [delivery] = store.list_deliveries()
    assert again.deliveries_recorded == 0 and delivery.incident_id == incident.incident_id


def test_concurrent_senders_send_once(alert_env):
    settings, store = recorded(alert_env)
    sent = []

    def slow_sender(message):
        time.sleep(0.2)
        sent.append(message["Message-ID"])

    threads = [threading.Thread(target=deliver_due, args=(settings, store),
                                kwargs={"now": NOW, "sender": slow_sender, "claimant": f"worker-{n}"}) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(sent) == 1
    [delivery] = store.list_deliveries()
    assert delivery.status == "sent" and delivery.message_id == sent[0] == message_id_for(delivery, settings.smtp.sender)


def test_a_claim_left_by_a_dead_worker_is_taken_over_once_stale(alert_env):
    settings, store = recorded(alert_env)
    [pending] = store.list_deliveries()
    assert store.claim_delivery(pending.delivery_id, "worker-that-died", NOW, NOW - HOUR) is not None
    sent = []

    assert deliver_due(settings, store, now=NOW + timedelta(seconds=30), sender=sent.append).sent == []  # still held
    report = deliver_due(settings, store, now=NOW + timedelta(minutes=3), sender=sent.append, claimant="worker-2")

    assert len(sent) == 1 and [d.claimed_by for d in report.sent] == ["worker-2"]
    assert deliver_due(settings, store, now=NOW + DAY, sender=sent.append).sent == []


def test_refusing_server_delays_with_backoff_and_never_loses_the_email(alert_env):
    settings, store = recorded(alert_env)
    attempts = []

    def refusing(message):
        attempts.append(message["Message-ID"])
        raise DeliveryError("SMTP server 127.0.0.1:2525 refused the alert email: 451 try later")

    moment = NOW
    for _ in range(4):
        report = deliver_due(settings, store, now=moment, sender=refusing)
        [waiting] = store.list_deliveries(["pending"])
        moment = waiting.not_before
        assert report.retrying and "451 try later" in waiting.last_error
    assert len(attempts) == 4 and len(set(attempts)) == 1  # the same Message-ID every time
    assert [retry_delay(n) for n in (1, 2, 3, 10)] == [timedelta(minutes=1), timedelta(minutes=2),
                                                        timedelta(minutes=4), timedelta(hours=1)]
    delivered = []
    deliver_due(settings, store, now=moment, sender=delivered.append)
    assert len(delivered) == 1 and store.list_deliveries(["pending", "sending"]) == []


def test_an_unusable_address_fails_at_once_and_is_reported(alert_env):
    settings, store = recorded(alert_env)
    [pending] = store.list_deliveries()
    store.save_delivery(pending.model_copy(update={"recipient": "owner@lumiere.example\r\nBcc: thief@evil.example"}))
    sent = []

    report = deliver_due(settings, store, now=NOW, sender=sent.append)

    assert sent == [] and [d.status for d in report.failed] == ["failed"]
    assert "line break" in report.errors[0]


def test_message_ids_are_stable_per_delivery():
    delivery = AlertDelivery(delivery_id="i_1:opened/a@b.example", event_id="i_1:opened", event="opened",
                             recipient="a@b.example", created_at=NOW, not_before=NOW)
    assert message_id_for(delivery, "starwatch <alerts@starwatch.example>") == message_id_for(delivery, "alerts@starwatch.example")
    assert message_id_for(delivery, "alerts@starwatch.example").endswith("@starwatch.example>")


def test_two_workers_evaluating_the_same_entity_at_once_record_one_incident_and_one_email(alert_env):
    settings, store = alert_env(rules=[RULE])
    store.upsert_reviews(reviews("cafe-lumiere", [5, 4] * 5, NOW - 20 * DAY) + reviews("cafe-lumiere", [1, 2] * 4, NOW - 2 * DAY))
    barrier = threading.Barrier(2)

    def worker(offset):
        barrier.wait()
        evaluate_alerts(settings, store, now=NOW + offset, entity_ids=["cafe-lumiere"])

    threads = [threading.Thread(target=worker, args=(offset,)) for offset in (timedelta(0), timedelta(seconds=1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(store.list_incidents()) == 1 and len(store.list_deliveries()) == 1

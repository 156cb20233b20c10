"""The past is recorded, never emailed: first-run backfill, explicit backfill, and the test-rule dry run."""

from __future__ import annotations

from alert_support import DAY, HOUR, NOW, reviews
from starwatch.capabilities.alerting import backfill_history, dry_run_rule
from workers.alerts.engine import run_alerts

DROP = {"id": "drop", "type": "rating_drop", "resolve_after_hours": 0}


def dip_forty_days_ago(store):
    """A month at 4.5★, a bad week 40 days ago, then a recovery, then a bad week now."""
    store.upsert_reviews(reviews("cafe-lumiere", [5, 4] * 15, NOW - 50 * DAY, spacing=8 * HOUR))
    store.upsert_reviews(reviews("cafe-lumiere", [1, 2] * 4, NOW - 40 * DAY, spacing=8 * HOUR))
    store.upsert_reviews(reviews("cafe-lumiere", [5, 4] * 15, NOW - 25 * DAY, spacing=8 * HOUR))


def test_first_run_records_history_silently_then_emails_only_the_present(alert_env):
    settings, store = alert_env(rules=[DROP], alerts={"backfill_days": 60})
    dip_forty_days_ago(store)
    store.upsert_reviews(reviews("cafe-lumiere", [1, 2] * 4, NOW - DAY, spacing=2 * HOUR))
    sent = []

    first = run_alerts(settings, store, now=NOW, sender=sent.append)

    history = [i for i in store.list_incidents() if i.historical]
    assert first.historical == len(history) >= 1
    assert all(i.status == "resolved" and i.opened_at < NOW for i in history)
    assert any(NOW - 42 * DAY < i.opened_at < NOW - 30 * DAY for i in history)  # the old dip is on record
    [fired] = first.fired  # the present dip: a live incident, emailed
    assert not fired.incident.historical and fired.incident.opened_at == NOW
    assert len(sent) == 1 and all(d.incident_id == fired.incident.incident_id for d in store.list_deliveries())

    second = run_alerts(settings, store, now=NOW + HOUR, sender=sent.append)
    assert second.historical == 0 and len(sent) == 1  # the first run happens once


def test_explicit_backfill_is_idempotent_and_never_emails(alert_env):
    settings, store = alert_env(rules=[DROP])
    dip_forty_days_ago(store)

    first = backfill_history(settings, since="60d", now=NOW)
    again = backfill_history(settings, since="60d", now=NOW)

    assert first.recorded == again.recorded >= 1
    assert len(store.list_incidents()) == first.recorded and store.list_deliveries() == []


def test_dry_run_prints_what_would_have_fired_and_writes_nothing(alert_env, tmp_path):
    settings, store = alert_env(rules=[DROP])
    dip_forty_days_ago(store)

    result = dry_run_rule(settings, tmp_path / "rules" / "drop.yaml", since="60d", now=NOW)

    assert result.rule_id == "drop" and result.entities == 3 and result.would_fire >= 1
    [incident] = [i for i in result.incidents if i.entity_id == "cafe-lumiere"]
    assert NOW - 42 * DAY < incident.opened_at < NOW - 30 * DAY and incident.resolved_at < NOW
    assert store.list_incidents() == [] and store.list_deliveries() == []

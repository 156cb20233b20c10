"""Reminders through the whole engine: every ``realert_hours`` while open, never once acknowledged."""

from __future__ import annotations

from alert_support import DAY, HOUR, NOW, reviews
from starwatch.capabilities.alerting import acknowledge_alert
from workers.alerts.engine import run_alerts

DROP = {"id": "drop", "type": "rating_drop", "realert_hours": 24}


def test_reminders_until_acknowledged_then_the_resolution_still_says_so(alert_env):
    settings, store = alert_env(rules=[DROP])
    store.upsert_reviews(reviews("cafe-lumiere", [5, 4] * 6, NOW - 20 * DAY) + reviews("cafe-lumiere", [1, 2] * 4, NOW - 2 * DAY))
    sent = []

    [fired] = run_alerts(settings, store, now=NOW, sender=sent.append).fired
    run_alerts(settings, store, now=NOW + 12 * HOUR, sender=sent.append)
    run_alerts(settings, store, now=NOW + 25 * HOUR, sender=sent.append)

    assert [m["X-Starwatch-Event"] for m in sent] == ["opened", "reminder"]
    assert sent[1]["Subject"] == f"Reminder: {sent[0]['Subject']}"
    assert "Reminder: this alert is still open." in sent[1].get_body(("plain",)).get_content()

    acknowledge_alert(settings, fired.incident.incident_id, by="Léa", now=NOW + 26 * HOUR)
    run_alerts(settings, store, now=NOW + 50 * HOUR, sender=sent.append)
    assert len(sent) == 2  # acknowledged: no more reminders

    store.upsert_reviews(reviews("cafe-lumiere", [5] * 40, NOW + 51 * HOUR))
    run_alerts(settings, store, now=NOW + 52 * HOUR, sender=sent.append)
    run_alerts(settings, store, now=NOW + 77 * HOUR, sender=sent.append)
    assert [m["X-Starwatch-Event"] for m in sent] == ["opened", "reminder", "resolved"]

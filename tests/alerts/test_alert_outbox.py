"""Never a flood: the per-recipient cap with one overflow summary, cooldowns, digest-mode recipients."""

from __future__ import annotations

from datetime import timedelta

from alert_support import DAY, HOUR, NOW, review, reviews
from workers.alerts.delivery import deliver_due
from workers.alerts.engine import evaluate_alerts, run_alerts

NEGATIVE = {"id": "negative-review", "type": "new_negative_review"}


def many_entities(count: int) -> list[dict]:
    return [{"id": f"cafe-{n:02d}", "name": f"Café n°{n}", "language": "fr", "recipients": ["siege@chaine.example"]}
            for n in range(count)]


def test_a_flood_becomes_the_cap_plus_one_overflow_summary(alert_env):
    settings, store = alert_env(rules=[NEGATIVE], entities=many_entities(14), alerts={"max_emails_per_run": 5})
    store.upsert_reviews([review(f"cafe-{n:02d}", 1, NOW - HOUR, language="fr") for n in range(14)])

    run = evaluate_alerts(settings, store, now=NOW)

    assert len(run.fired) == 14 and run.deliveries_recorded == 15  # 14 incidents, 5 emails + 1 summary + 9 merged
    log = store.list_deliveries()
    assert [d.status for d in log].count("pending") == 6 and [d.status for d in log].count("merged") == 9
    [summary] = [d for d in log if d.event == "overflow"]
    assert summary.subject == "starwatch : 9 alertes de plus en une évaluation (12 mars 2024, 10:00 UTC)"
    assert "Café n°13 : un nouvel avis négatif (note la plus basse 1★)" in summary.text
    assert all(d.merged_into == summary.delivery_id for d in log if d.status == "merged")
    sent = []
    deliver_due(settings, store, now=NOW, sender=sent.append)
    assert len(sent) == 6
    assert evaluate_alerts(settings, store, now=NOW + HOUR).deliveries_recorded == 0  # recorded once


def test_cooldown_defers_a_reopening_and_cancels_it_if_it_resolves_first(alert_env):
    options = {**NEGATIVE, "cooldown_hours": 12, "max_age_hours": 2}
    settings, store = alert_env(rules=[options])
    store.upsert_reviews([review("cafe-lumiere", 1, NOW - HOUR)])
    run_alerts(settings, store, now=NOW, sender=[].append)  # opened and emailed at NOW
    evaluate_alerts(settings, store, now=NOW + 3 * HOUR)  # the review aged out: resolved (quietly, event rule)

    store.upsert_reviews([review("cafe-lumiere", 2, NOW + 4 * HOUR)])
    evaluate_alerts(settings, store, now=NOW + 4 * HOUR + 30 * timedelta(minutes=1))
    [deferred] = store.list_deliveries(["pending"])
    assert deferred.event == "opened" and deferred.not_before == NOW + 12 * HOUR
    assert deliver_due(settings, store, now=NOW + 5 * HOUR, sender=[].append).sent == []

    evaluate_alerts(settings, store, now=NOW + 7 * HOUR)  # aged out again before the cooldown ended

    assert [d.status for d in store.list_deliveries() if d.incident_id == deferred.incident_id] == ["cancelled"]
    assert deliver_due(settings, store, now=NOW + DAY, sender=[].append).sent == []


def test_digest_recipients_get_no_individual_email(alert_env):
    settings, store = alert_env(rules=[NEGATIVE], alerts={"digests": [{"address": "owner@lumiere.example"}]})
    store.upsert_reviews([review("cafe-lumiere", 1, NOW - HOUR), review("bistro-soleil", 1, NOW - HOUR, language="fr")])

    run = evaluate_alerts(settings, store, now=NOW)

    assert len(run.fired) == 2
    assert [d.recipient for d in store.list_deliveries()] == ["patron@soleil.example"]


def test_entity_filter_evaluates_only_those_entities(alert_env):
    settings, store = alert_env(rules=[NEGATIVE])
    store.upsert_reviews(reviews("cafe-lumiere", [1], NOW - HOUR) + reviews("bistro-soleil", [1], NOW - HOUR, language="fr"))

    run = evaluate_alerts(settings, store, now=NOW, entity_ids=["bistro-soleil"])

    assert run.evaluated == 1 and [f.incident.entity_id for f in run.fired] == ["bistro-soleil"]

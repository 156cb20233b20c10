"""``new_negative_review`` on a real store with a frozen clock: fire at once, updates, history stays quiet."""

from __future__ import annotations

from alert_support import DAY, HOUR, NOW, outcomes, review, rule
from workers.alerts.engine import evaluate_alerts

RULE = {"id": "negative-review", "type": "new_negative_review", "max_rating": 2, "max_age_hours": 72}


def test_a_new_low_review_matches_at_once_with_its_id(alert_env):
    settings, store = alert_env(rules=[RULE])
    bad = review("cafe-lumiere", 1, NOW - 2 * HOUR)
    store.upsert_reviews([bad, review("cafe-lumiere", 5, NOW - HOUR), review("bistro-soleil", 3, NOW - HOUR)])

    evaluations = rule(settings, **RULE).evaluate(store, ["cafe-lumiere", "bistro-soleil"], NOW)

    assert [e.outcome for e in evaluations] == ["match", "clear"]
    assert evaluations[0].match.evidence_ids == (bad.review_id,)
    assert evaluations[0].match.worst_rating == 1


def test_old_reviews_found_late_are_history_and_never_match(alert_env):
    settings, store = alert_env(rules=[RULE])
    # A first crawl brings a year of reviews: the bad ones are all older than max_age_hours.
    store.upsert_reviews([review("cafe-lumiere", 1, NOW - d * DAY, collected=NOW) for d in range(4, 300, 7)])

    assert outcomes(rule(settings, **RULE), store, ["cafe-lumiere"]) == {"cafe-lumiere": "clear"}
    run = evaluate_alerts(settings, store, now=NOW)
    assert run.fired == [] and store.list_deliveries() == []


def test_opens_then_updates_only_with_new_reviews_then_resolves_quietly(alert_env):
    settings, store = alert_env(rules=[RULE])
    first = review("cafe-lumiere", 2, NOW - HOUR)
    store.upsert_reviews([first])

    opened = evaluate_alerts(settings, store, now=NOW)
    [fired] = opened.fired
    assert fired.recipients == ("owner@lumiere.example",) and fired.subject == "Café Lumière: a new negative review (lowest 2★)"

    assert evaluate_alerts(settings, store, now=NOW + HOUR).deliveries_recorded == 0  # same review: nothing new
    second = review("cafe-lumiere", 1, NOW + HOUR)
    store.upsert_reviews([second])
    updated = evaluate_alerts(settings, store, now=NOW + 2 * HOUR)

    assert [i.incident_id for i in updated.updated] == [fired.incident.incident_id]
    [update_email] = [d for d in store.list_deliveries() if d.event == "update"]
    assert update_email.subject == "Update: Café Lumière: a new negative review (lowest 1★)"
    assert second.text in update_email.text and first.text not in update_email.text

    resolved = evaluate_alerts(settings, store, now=NOW + 4 * DAY)  # both reviews are now older than 72 h
    assert [i.incident_id for i in resolved.resolved] == [fired.incident.incident_id]
    assert {d.event for d in store.list_deliveries()} == {"opened", "update"}  # no "resolved" email for events

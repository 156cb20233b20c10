"""``integrity_complaint`` and ``authenticity_campaign``: reviews flagged by the analysis, frozen clock."""

from __future__ import annotations

from alert_support import DAY, HOUR, NOW, outcomes, review, reviews, rule
from workers.alerts.engine import evaluate_alerts

INTEGRITY = {"id": "integrity", "type": "integrity_complaint"}
CAMPAIGN = {"id": "campaign", "type": "authenticity_campaign", "min_reviews": 3}


def test_integrity_flags_match_other_flags_and_old_reviews_do_not(alert_env):
    settings, store = alert_env(rules=[INTEGRITY])
    flagged = review("cafe-lumiere", 2, NOW - 3 * HOUR, flags=["integrity:hygiene"])
    store.upsert_reviews([flagged,
                          review("bistro-soleil", 1, NOW - HOUR, flags=["campaign:burst-3"]),
                          review("the-kettle", 1, NOW - 9 * DAY, flags=["integrity:safety"])])  # older than 168 h

    integrity = rule(settings, **INTEGRITY)
    assert outcomes(integrity, store, ["cafe-lumiere", "bistro-soleil", "the-kettle"]) == {
        "cafe-lumiere": "match", "bistro-soleil": "clear", "the-kettle": "clear"}
    [fired] = evaluate_alerts(settings, store, now=NOW).fired
    assert fired.subject == "Café Lumière: 1 review reporting hygiene"
    [email] = store.list_deliveries()
    assert flagged.text in email.text and "integrity:hygiene" in email.text


def test_campaign_needs_min_reviews(alert_env):
    settings, store = alert_env(rules=[CAMPAIGN])
    store.upsert_reviews(reviews("cafe-lumiere", [5, 5], NOW - HOUR, flags=["campaign:burst-7"]))

    assert outcomes(rule(settings, **CAMPAIGN), store, ["cafe-lumiere"]) == {"cafe-lumiere": "clear"}
    store.upsert_reviews([review("cafe-lumiere", 5, NOW - 2 * HOUR, flags=["authenticity:one-day-reviewer"])])
    assert outcomes(rule(settings, **CAMPAIGN), store, ["cafe-lumiere"]) == {"cafe-lumiere": "match"}


def test_a_competitors_campaign_is_told_to_the_rest_of_the_group_in_their_language(alert_env):
    settings, store = alert_env(rules=[CAMPAIGN])
    store.upsert_reviews(reviews("cafe-lumiere", [5, 5, 5, 5], NOW - HOUR, flags=["campaign:burst-7"]))

    run = evaluate_alerts(settings, store, now=NOW)

    [fired] = run.fired
    assert fired.recipients == ("owner@lumiere.example", "patron@soleil.example")
    by_recipient = {d.recipient: d for d in store.list_deliveries()}
    assert by_recipient["owner@lumiere.example"].subject == "Café Lumière: possible review campaign, 4 suspicious reviews"
    competitor = by_recipient["patron@soleil.example"]
    assert competitor.language == "fr"
    assert competitor.subject == "Concurrent Café Lumière : campagne d'avis possible, 4 avis suspects"
    assert "Votre concurrent Café Lumière a reçu 4 avis qui semblent coordonnés (campaign:burst-7)" in competitor.text


def test_without_notify_competitors_only_the_entity_is_told(alert_env):
    own_only = {**CAMPAIGN, "notify_competitors": False}
    settings, store = alert_env(rules=[own_only])
    store.upsert_reviews(reviews("cafe-lumiere", [5, 5, 5], NOW - HOUR, flags=["campaign:burst-7"]))

    [fired] = evaluate_alerts(settings, store, now=NOW).fired
    assert fired.recipients == ("owner@lumiere.example",)


def test_flagged_incident_resolves_once_the_reviews_age_out(alert_env):
    settings, store = alert_env(rules=[INTEGRITY])
    store.upsert_reviews([review("cafe-lumiere", 2, NOW - HOUR, flags=["integrity:food-poisoning"])])
    [fired] = evaluate_alerts(settings, store, now=NOW).fired

    assert evaluate_alerts(settings, store, now=NOW + 6 * DAY).resolved == []
    [resolved] = evaluate_alerts(settings, store, now=NOW + 8 * DAY).resolved
    assert resolved.incident_id == fired.incident.incident_id

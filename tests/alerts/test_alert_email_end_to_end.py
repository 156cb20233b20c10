"""The email path end to end: rules → engine → delivery log → a real SMTP server, in English and French."""

from __future__ import annotations

import pytest
import yaml

from alert_support import DAY, HOUR, NOW, review, reviews
from config.settings import ConfigError, load_settings
from workers.alerts.engine import run_alerts

DROP = {"id": "drop", "type": "rating_drop"}
NEGATIVE = {"id": "negative-review", "type": "new_negative_review"}
SEARCH = {"search_base_url": "https://starwatch.example/search"}


def seed_drop(store, entity_id, language):
    store.upsert_reviews(
        reviews(entity_id, [5, 4] * 6, NOW - 20 * DAY, language=language, sentiment=0.6, aspects=["service"])
        + reviews(entity_id, [1, 2, 2, 1, 3, 2], NOW - 2 * DAY, language=language, sentiment=-0.5, aspects=["service"])
        + [review(entity_id, 5, NOW - 3 * DAY, language=language, flags=["campaign:burst-4"])])


def test_english_alert_says_what_changed_why_and_where_to_look(alert_env, smtp_server):
    settings, store = alert_env(rules=[DROP], smtp_port=smtp_server.port, alerts=SEARCH)
    seed_drop(store, "cafe-lumiere", "en")
    store.upsert_reviews(reviews("bistro-soleil", [4] * 6, NOW - 3 * DAY, language="fr"))

    run = run_alerts(settings, store, now=NOW)

    assert run.errors == [] and run.emails_sent == 1
    [message] = smtp_server.wait_for(1)
    assert smtp_server.envelopes[0] == ("alerts@starwatch.example", ["owner@lumiere.example"])
    assert message["Subject"] == "Café Lumière: 4.5★ → 2.3★ over 7 days (−2.2, 7 reviews)"
    assert message["X-Starwatch-Event"] == "opened" and message["X-Starwatch-Rule"] == "drop"
    assert message["Message-ID"] == run.fired[0].message_id
    text = message.get_body(("plain",)).get_content()
    for line in ("The average rating of Café Lumière dropped by 2.2 stars.",
                 "Lowest-rated recent reviews:", "What the reviews talk about", "- service: +0.60 → −0.50",
                 "Authenticity notes (signals, not proof):", "1 review flagged campaign:burst-4",
                 "Competitors in Old Town cafés over the same 7 days:", "Bistro Soleil: 4.0★ from 6 reviews",
                 "Average rating per week, latest on the right:",
                 "Search these reviews: https://starwatch.example/search?entity=cafe-lumiere&since=2024-03-05",
                 f"starwatch alerts ack {run.fired[0].incident.incident_id}"):
        assert line in text, line
    html = message.get_body(("html",)).get_content()
    assert '<html lang="en">' in html and "height: " in html and "background: #d9534f" in html  # the bar chart
    assert 'href="https://starwatch.example/search?entity=cafe-lumiere&amp;since=2024-03-05"' in html


def test_french_alert_in_french_from_first_email_to_resolution(alert_env, smtp_server):
    settings, store = alert_env(rules=[DROP], smtp_port=smtp_server.port)
    seed_drop(store, "bistro-soleil", "fr")

    run_alerts(settings, store, now=NOW)
    [opened] = smtp_server.wait_for(1)
    assert opened["Subject"] == "Bistro Soleil : 4,5★ → 2,3★ sur 7 jours (−2,2, 7 avis)"
    assert opened["Content-Language"] == "fr"
    text = opened.get_body(("plain",)).get_content()
    assert "La note moyenne de Bistro Soleil a baissé de 2,2 étoiles." in text
    assert "Avis récents les moins bien notés :" in text and "Note moyenne par semaine" in text
    assert "Alerte " in text and "ouverte le 12 mars 2024, 10:00 UTC" in text

    store.upsert_reviews(reviews("bistro-soleil", [5] * 40, NOW + HOUR, language="fr"))
    run_alerts(settings, store, now=NOW + 2 * HOUR)
    run_alerts(settings, store, now=NOW + 27 * HOUR)
    [_, resolved] = smtp_server.wait_for(2)
    assert resolved["Subject"] == f"Résolu : {opened['Subject']}"
    assert "est résolue" in resolved.get_body(("plain",)).get_content()


def test_update_email_quotes_only_the_new_review(alert_env, smtp_server):
    settings, store = alert_env(rules=[NEGATIVE], smtp_port=smtp_server.port)
    store.upsert_reviews([review("bistro-soleil", 1, NOW - HOUR, language="fr", text="Attente interminable au comptoir.")])
    run_alerts(settings, store, now=NOW)
    store.upsert_reviews([review("bistro-soleil", 2, NOW + HOUR, language="fr", text="Addition fausse, serveur agacé.")])
    run_alerts(settings, store, now=NOW + 2 * HOUR)

    [first, update] = smtp_server.wait_for(2)
    assert first["Subject"] == "Bistro Soleil : un nouvel avis négatif (note la plus basse 1★)"
    assert update["Subject"] == "Mise à jour : Bistro Soleil : un nouvel avis négatif (note la plus basse 2★)"
    body = update.get_body(("plain",)).get_content()
    assert "« Addition fausse, serveur agacé. »" in body and "Attente interminable" not in body


@pytest.mark.parametrize("field", ["recipients", "operators"])
def test_recipients_with_line_breaks_are_refused_when_the_settings_load(tmp_path, field):
    hostile = "owner@lumiere.example\r\nBcc: thief@evil.example"
    document = {"entities": [{"id": "cafe", "name": "Café", "recipients": [hostile]}]} if field == "recipients" \
        else {"alerts": {"operators": [hostile]}}
    path = tmp_path / "starwatch.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")

    with pytest.raises(ConfigError, match=str(path)):
        load_settings(path)


def test_entity_names_with_line_breaks_are_refused_when_the_settings_load(tmp_path):
    path = tmp_path / "starwatch.yaml"
    path.write_text(yaml.safe_dump({"entities": [{"id": "cafe", "name": "Café\r\nBcc: thief@evil.example"}]}), encoding="utf-8")

    with pytest.raises(ConfigError, match="single line"):
        load_settings(path)

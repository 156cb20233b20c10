"""Digest mode: one summary per period and recipient, of open incidents and notable reviews."""

from __future__ import annotations

from datetime import datetime, timezone

from config.settings import DigestRecipient
from alert_support import DAY, HOUR, NOW, review, reviews
from workers.alerts.digest import period_of
from workers.alerts.engine import run_alerts

NEGATIVE = {"id": "negative-review", "type": "new_negative_review"}
DROP = {"id": "drop", "type": "rating_drop"}


def test_periods_end_at_the_scheduled_hour():
    daily = DigestRecipient(address="a@b.example", every="daily", hour_utc=8)
    assert period_of(daily, NOW) == (NOW.replace(hour=8) - DAY, NOW.replace(hour=8))  # NOW is 10:00
    assert period_of(daily, NOW.replace(hour=7)) == (NOW.replace(hour=8) - 2 * DAY, NOW.replace(hour=8) - DAY)
    weekly = DigestRecipient(address="a@b.example", every="weekly", hour_utc=8, weekday="monday")
    monday = datetime(2024, 3, 11, 8, tzinfo=timezone.utc)  # NOW is Tuesday 12 March 2024
    assert period_of(weekly, NOW) == (monday - 7 * DAY, monday)


def test_daily_digest_lists_open_alerts_and_notable_reviews_once(alert_env):
    settings, store = alert_env(rules=[NEGATIVE, DROP], alerts={"digests": [
        {"address": "patron@soleil.example", "every": "daily", "hour_utc": 8}]})
    store.upsert_reviews([review("bistro-soleil", 1, NOW - 5 * HOUR, language="fr"),
                          review("bistro-soleil", 2, NOW - 20 * HOUR, language="fr",
                                 text="Serveur débordé, plats arrivés froids.")])
    sent = []

    run_alerts(settings, store, now=NOW - 3 * HOUR, sender=sent.append)  # 07:00: the 08:00 digest is not due
    assert sent == []  # digest mode: no individual email either
    run_alerts(settings, store, now=NOW, sender=sent.append)  # 10:00: due
    run_alerts(settings, store, now=NOW + HOUR, sender=sent.append)  # already recorded for this period

    [digest] = sent
    assert digest["To"] == "patron@soleil.example"
    assert digest["Subject"] == "Résumé starwatch du jour : 1 alerte ouverte, 1 nouvelle, 0 résolue (12 mars 2024)"
    text = digest.get_body(("plain",)).get_content()
    assert "Bistro Soleil : 2 nouveaux avis négatifs (note la plus basse 1★)" in text
    assert "« Serveur débordé, plats arrivés froids. »" in text
    run_alerts(settings, store, now=NOW + DAY, sender=sent.append)
    assert len(sent) == 2 and "1 alerte ouverte, 0 nouvelle" in sent[1]["Subject"]  # still open, not new


def test_nothing_to_say_sends_no_digest(alert_env):
    settings, store = alert_env(rules=[NEGATIVE], alerts={"digests": [{"address": "owner@lumiere.example"}]})
    store.upsert_reviews(reviews("cafe-lumiere", [5, 5], NOW - 3 * HOUR))
    sent = []

    run_alerts(settings, store, now=NOW, sender=sent.append)

    assert sent == []

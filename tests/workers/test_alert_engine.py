"""The alert engine against a real SQLite store and a real SMTP server: fire once, resolve, retry.

More of the lifecycle (cooldown, caps, digests, history) is in tests/alerts/."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import partial
from itertools import count

import pytest
import yaml

from config.settings import load_settings
from search.documents import Review, make_review_id
from search.factory import get_store
from workers.alerts.engine import run_alerts
from workers.alerts.smtp import send_message

NOW = datetime(2024, 3, 12, 10, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)
RULE = "rating-drop"
_review_numbers = count(1)

COMPLAINTS = {
    "en": ["Cold coffee and a forty minute wait, never again.", "Rude staff, dirty cups.", "Average at best."],
    "fr": ["Accueil glacial et plats tièdes, très déçu.", "Service très lent ce midi.", "Correct sans plus."],
}


@pytest.fixture
def settings_factory(tmp_path):
    """Settings from a YAML file of our own, so the repository's config/starwatch.yaml never leaks in."""

    def build(smtp_port: int = 25, **rule_overrides):
        document = {
            "store": {"backend": "sqlite", "sqlite_path": str(tmp_path / "alerts.sqlite")},
            "smtp": {"host": "127.0.0.1", "port": smtp_port, "sender": "starwatch <alerts@starwatch.example>"},
            "groups": [{"id": "old-town", "name": "Old Town cafés"}],
            "alerts": {"rules": [{"id": RULE, "type": "rating_drop", "recent_days": 7, "baseline_days": 30,
                                  "min_recent_reviews": 5, "min_baseline_reviews": 5, "min_drop": 0.3,
                                  **rule_overrides}],
                       "backfill_days": 0},
            "entities": [
                {"id": "cafe-lumiere", "name": "Café Lumière", "group": "old-town", "language": "en",
                 "recipients": ["owner@lumiere.example", "manager@lumiere.example"]},
                {"id": "bistro-soleil", "name": "Bistro Soleil", "group": "old-town", "language": "fr",
                 "recipients": ["patron@soleil.example"]},
                {"id": "the-kettle", "name": "The Kettle", "language": "en"},  # nobody to email
            ],
        }
        path = tmp_path / "starwatch.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        return load_settings(path)

    return build


@pytest.fixture
def store(settings_factory):
    store = get_store(settings_factory())
    store.ensure_ready()
    yield store
    store.close()


def add_reviews(store, entity_id: str, ratings, published_at: datetime, language: str = "en",
                spacing: timedelta = timedelta(minutes=1)) -> None:
    """One review per rating, the first at ``published_at``, each next one ``spacing`` earlier."""
    reviews = []
    for position, rating in enumerate(ratings):
        number = next(_review_numbers)
        text = COMPLAINTS[language][position % 3] if rating <= 3 else f"Lovely place, visit {number}."
        reviews.append(Review(
            review_id=make_review_id(f"{entity_id}-site", f"r{number}"), source=f"{entity_id}-site",
            platform="schema_org", entity_id=entity_id, rating=rating, text=text, language=language,
            published_at=published_at - position * spacing,
        ))
    store.upsert_reviews(reviews)


def seed_steady(store, entity_id: str, language: str = "en") -> None:
    """4.0 stars before and after: never alerts."""
    add_reviews(store, entity_id, [4] * 6, NOW - 20 * DAY, language)
    add_reviews(store, entity_id, [4] * 6, NOW - 3 * DAY, language)


def seed_drop(store, entity_id: str, language: str = "en") -> None:
    """4.5 stars over the baseline, 2.5 over the last week."""
    add_reviews(store, entity_id, [5, 4] * 4, NOW - 20 * DAY, language)
    add_reviews(store, entity_id, [1, 2, 3, 4, 1, 4], NOW - 2 * DAY, language)


def test_fires_once_across_runs_resolves_when_cleared_and_fires_again(settings_factory, store, smtp_server):
    settings = settings_factory(smtp_port=smtp_server.port)
    seed_drop(store, "cafe-lumiere")
    seed_steady(store, "bistro-soleil", "fr")

    first = run_alerts(settings, store, now=NOW)

    assert first.errors == [] and first.evaluated == 3 and first.resolved == []
    [fired] = first.fired
    assert fired.incident.entity_id == "cafe-lumiere" and fired.incident.status == "open"
    assert fired.recipients == ("owner@lumiere.example", "manager@lumiere.example")
    delivered = smtp_server.wait_for(2)
    assert sorted(to for _, [to] in smtp_server.envelopes) == ["manager@lumiere.example", "owner@lumiere.example"]
    assert {m["To"] for m in delivered} == {"owner@lumiere.example", "manager@lumiere.example"}  # one email each
    assert fired.message_id in {m["Message-ID"] for m in delivered}
    message = delivered[0]
    assert message["Subject"] == fired.subject == "Café Lumière: 4.5★ → 2.5★ over 7 days (−2.0, 6 reviews)"
    text = message.get_body(("plain",)).get_content()
    assert '1★ on 10 Mar 2024 (cafe-lumiere-site): "Cold coffee and a forty minute wait, never again."' in text
    assert "Bistro Soleil: 4.0★ from 6 reviews (before: 4.0★)" in text
    stored = store.get_open_incident(RULE, "cafe-lumiere")
    assert stored.incident_id == fired.incident.incident_id
    assert stored.details["recent_count"] == 6 and stored.details["old_average"] == pytest.approx(4.5)

    second = run_alerts(settings, store, now=NOW + timedelta(hours=1))

    assert second.fired == [] and second.resolved == [] and second.errors == []
    assert len(smtp_server.messages) == 2  # still the first emails only

    add_reviews(store, "cafe-lumiere", [5] * 30, NOW + timedelta(hours=1, minutes=30))
    third = run_alerts(settings, store, now=NOW + timedelta(hours=2))
    assert third.resolved == []  # clear, but it must stay clear for resolve_after_hours (24 h)
    fourth = run_alerts(settings, store, now=NOW + timedelta(hours=26))

    [resolved] = fourth.resolved
    assert resolved.incident_id == fired.incident.incident_id and resolved.status == "resolved"
    assert resolved.resolved_at == NOW + timedelta(hours=26) and resolved.clear_since == NOW + timedelta(hours=2)
    assert store.get_open_incident(RULE, "cafe-lumiere") is None
    resolved_emails = smtp_server.wait_for(4)[2:]
    assert {m["Subject"] for m in resolved_emails} == {f"Resolved: {fired.subject}"}

    add_reviews(store, "cafe-lumiere", [1] * 60, NOW + timedelta(hours=27))
    fifth = run_alerts(settings, store, now=NOW + timedelta(hours=28))

    [again] = fifth.fired
    assert again.incident.incident_id != fired.incident.incident_id and again.incident.sequence == 2
    assert len(smtp_server.wait_for(6)) == 6


def test_french_entity_gets_a_french_email_with_competitor_context(settings_factory, store, smtp_server):
    settings = settings_factory(smtp_port=smtp_server.port)
    seed_drop(store, "bistro-soleil", "fr")
    seed_steady(store, "cafe-lumiere")

    run = run_alerts(settings, store, now=NOW)

    assert [f.incident.entity_id for f in run.fired] == ["bistro-soleil"]
    [delivered] = smtp_server.wait_for(1)
    assert smtp_server.envelopes[0][1] == ["patron@soleil.example"]
    assert delivered["Subject"] == "Bistro Soleil : 4,5★ → 2,5★ sur 7 jours (−2,0, 6 avis)"
    assert delivered["Content-Language"] == "fr"
    text = delivered.get_body(("plain",)).get_content()
    assert "« Accueil glacial et plats tièdes, très déçu. »" in text
    assert "Concurrents (Old Town cafés) sur la même période :" in text
    assert "Café Lumière : 4,0★ sur 6 avis (avant : 4,0★)" in text
    assert "Bistro Soleil" in delivered.get_body(("html",)).get_content()


def test_entity_without_recipients_still_records_its_incident(settings_factory, store):
    settings = settings_factory()
    seed_drop(store, "the-kettle")
    sent = []

    run = run_alerts(settings, store, now=NOW, sender=sent.append)

    [fired] = run.fired
    assert (fired.incident.entity_id, fired.message_id, fired.recipients) == ("the-kettle", None, ())
    assert fired.subject.startswith("The Kettle: 4.5★ → 2.5★")
    assert sent == [] and run.errors == []
    assert [i.entity_id for i in store.list_incidents("open")] == ["the-kettle"]
    assert run_alerts(settings, store, now=NOW + DAY / 24, sender=sent.append).fired == []


def test_smtp_down_delays_the_email_then_sends_it_once(settings_factory, store, smtp_server):
    dead_port_settings = settings_factory(smtp_port=_closed_port())
    seed_drop(store, "the-kettle")
    seed_drop(store, "bistro-soleil", "fr")
    flaky_sender = partial(send_message, smtp_settings=dead_port_settings.smtp, attempts=1)

    failed = run_alerts(dead_port_settings, store, now=NOW, sender=flaky_sender)

    assert {f.incident.entity_id for f in failed.fired} == {"the-kettle", "bistro-soleil"}  # the kettle: no one to email
    assert all(f.message_id is None for f in failed.fired) and failed.emails_sent == 0
    [error] = failed.errors
    assert "not sent yet" in error and f"127.0.0.1:{dead_port_settings.smtp.port}" in error
    [waiting] = store.list_deliveries(["pending"])
    assert waiting.attempts == 1 and waiting.not_before == NOW + timedelta(minutes=1)

    working = settings_factory(smtp_port=smtp_server.port)
    too_soon = run_alerts(working, store, now=NOW + timedelta(seconds=30))
    assert too_soon.emails_sent == 0  # backing off
    retried = run_alerts(working, store, now=NOW + timedelta(minutes=5))

    assert retried.fired == [] and retried.emails_sent == 1
    [delivered] = smtp_server.wait_for(1)
    assert delivered["Subject"].startswith("Bistro Soleil : 4,5★ → 2,5★")
    assert run_alerts(working, store, now=NOW + timedelta(minutes=10)).emails_sent == 0
    assert len(smtp_server.messages) == 1
    [sent] = store.list_deliveries(["sent"])
    assert sent.attempts == 2 and sent.message_id == delivered["Message-ID"]


def test_too_few_reviews_neither_fires_nor_resolves(settings_factory, store):
    settings = settings_factory()
    seed_drop(store, "the-kettle")
    assert len(run_alerts(settings, store, now=NOW).fired) == 1

    # A week later the recent window is empty: nothing proves a recovery, so the incident stays open.
    later = run_alerts(settings, store, now=NOW + 8 * DAY)

    assert later.fired == [] and later.resolved == []
    assert store.get_open_incident(RULE, "the-kettle") is not None


def test_window_boundaries_hold_against_the_real_store(settings_factory, store):
    settings = settings_factory()
    add_reviews(store, "the-kettle", [5] * 5, NOW - 20 * DAY)
    add_reviews(store, "the-kettle", [2], NOW - 7 * DAY)  # exactly the start of the recent window
    add_reviews(store, "the-kettle", [2] * 4, NOW - 1 * DAY)
    add_reviews(store, "the-kettle", [5] * 20, NOW, spacing=timedelta(0))  # the window ends just before now

    [fired] = run_alerts(settings, store, now=NOW).fired

    assert fired.incident.details["recent_count"] == 5
    assert fired.incident.details["new_average"] == pytest.approx(2.0)
    assert fired.incident.details["baseline_count"] == 5


def test_entity_filter_limits_the_pass_and_unknown_ids_are_reported(settings_factory, store):
    settings = settings_factory()
    seed_drop(store, "cafe-lumiere")
    seed_drop(store, "the-kettle")

    run = run_alerts(settings, store, now=NOW, entity_ids=["the-kettle", "no-such-cafe"], sender=[].append)

    assert run.evaluated == 1
    assert [f.incident.entity_id for f in run.fired] == ["the-kettle"]
    [error] = run.errors
    assert "no-such-cafe" in error and "cafe-lumiere" in error  # names the known ids


def test_rule_limited_to_some_entities_ignores_the_others(settings_factory, store):
    settings = settings_factory(entities=["bistro-soleil"])
    seed_drop(store, "cafe-lumiere")

    run = run_alerts(settings, store, now=NOW, sender=[].append)

    assert run.evaluated == 1 and run.fired == []


def test_unusable_store_is_reported_not_raised(settings_factory, tmp_path):
    settings = settings_factory()
    (tmp_path / "not-a-directory").write_text("", encoding="utf-8")
    broken = get_store(settings.model_copy(
        update={"store": settings.store.model_copy(update={"sqlite_path": tmp_path / "not-a-directory" / "x.sqlite"})}
    ))

    run = run_alerts(settings, broken, now=NOW, sender=[].append)

    assert run.fired == [] and run.evaluated == 0
    assert run.errors and all("sqlite_path" in error for error in run.errors)


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

"""Helpers for the alerting tests: a frozen clock, invented reviews, settings and rules on disk.

Every text here was written for these tests (French and English); none comes from a dataset.
Stores are real (SQLite in a temporary directory); the clock is a fixed ``NOW`` passed to the
engine, never the wall clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import count
from pathlib import Path
from typing import Any, Iterable

import yaml

from config.settings import Settings, load_settings
from search.documents import RatingSnapshot, Review, make_review_id, make_snapshot_id
from search.factory import get_store
from workers.alerts.loader import parse_rule

NOW = datetime(2024, 3, 12, 10, 0, tzinfo=timezone.utc)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
_numbers = count(1)

TEXTS = {
    "en": {"bad": ["Cold coffee and a forty minute wait, never again.", "Rude staff and sticky tables.",
                   "The croissant was stale and nobody apologised."],
           "good": ["Lovely terrace, friendly staff.", "Best flat white in the old town.", "Quick and kind service."]},
    "fr": {"bad": ["Accueil glacial et plats tièdes, très déçu.", "Service très lent ce midi, personne ne s'excuse.",
                   "Tables sales et café amer."],
           "good": ["Terrasse agréable et équipe souriante.", "Le meilleur café de la vieille ville.",
                    "Service rapide et aimable."]},
}

ENTITIES = [
    {"id": "cafe-lumiere", "name": "Café Lumière", "group": "old-town", "language": "en",
     "recipients": ["owner@lumiere.example"],
     "sources": [{"id": "lumiere-site", "type": "schema_org", "url": "https://lumiere.example/avis"},
                 {"id": "lumiere-maps", "type": "schema_org", "url": "https://maps.example/lumiere"}]},
    {"id": "bistro-soleil", "name": "Bistro Soleil", "group": "old-town", "language": "fr",
     "recipients": ["patron@soleil.example"],
     "sources": [{"id": "soleil-site", "type": "schema_org", "url": "https://soleil.example/avis"}]},
    {"id": "the-kettle", "name": "The Kettle", "language": "en"},
]


def make_settings(tmp_path: Path, *, rules: Iterable[dict[str, Any]] = (), smtp_port: int = 25,
                  alerts: dict[str, Any] | None = None, entities: list[dict] | None = None,
                  inline_rules: list[dict] | None = None) -> Settings:
    """Settings from files of our own (never the repository's config/starwatch.yaml)."""
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir(exist_ok=True)
    for rule in rules:
        (rules_dir / f"{rule['id']}.yaml").write_text(yaml.safe_dump(rule, allow_unicode=True), encoding="utf-8")
    document = {
        "store": {"backend": "sqlite", "sqlite_path": str(tmp_path / "alerts.sqlite")},
        "smtp": {"host": "127.0.0.1", "port": smtp_port, "sender": "starwatch <alerts@starwatch.example>"},
        "groups": [{"id": "old-town", "name": "Old Town cafés"}],
        "alerts": {"rules": inline_rules or [], "rule_files": [str(rules_dir / "*.yaml")], "backfill_days": 0,
                   **(alerts or {})},
        "entities": entities if entities is not None else ENTITIES,
    }
    path = tmp_path / "starwatch.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return load_settings(path)


def open_test_store(settings: Settings):
    store = get_store(settings)
    store.ensure_ready()
    return store


def rule(settings: Settings, **options: Any):
    """A rule object from options as they would appear in a rule file."""
    return parse_rule(options, "test rule", settings)


def review(entity_id: str, rating: float | None, published: datetime, *, language: str = "en",
           sentiment: float | None = None, aspects: Iterable[str] = (), flags: Iterable[str] = (),
           source: str | None = None, collected: datetime | None = None, text: str | None = None) -> Review:
    number = next(_numbers)
    mood = "bad" if (rating is not None and rating <= 3) or (sentiment is not None and sentiment < 0) else "good"
    label = None if sentiment is None else ("negative" if sentiment < -0.05 else "positive" if sentiment > 0.05 else "neutral")
    source = source or f"{entity_id.split('-')[-1]}-site"
    return Review(
        review_id=make_review_id(source, f"r{number}"), source=source, platform="schema_org",
        external_id=f"r{number}", entity_id=entity_id, rating=rating,
        text=text or TEXTS[language][mood][number % 3], language=language, published_at=published,
        collected_at=collected or published + HOUR, sentiment_score=sentiment, sentiment_label=label,
        aspects=list(aspects), flags=list(flags), url=f"https://reviews.example/{entity_id}/r{number}",
    )


def reviews(entity_id: str, ratings: Iterable[float], first: datetime, *, spacing: timedelta = timedelta(minutes=7),
            **fields: Any) -> list[Review]:
    """One review per rating: the first at ``first``, each next one ``spacing`` earlier."""
    return [review(entity_id, rating, first - position * spacing, **fields) for position, rating in enumerate(ratings)]


def snapshot(entity_id: str, source: str, observed: datetime, average: float, count: int = 120) -> RatingSnapshot:
    return RatingSnapshot(snapshot_id=make_snapshot_id(source, entity_id, observed), source=source,
                          platform="schema_org", entity_id=entity_id, average=average, rating_count=count,
                          observed_at=observed)


def outcomes(rule_object, store, entity_ids, now=NOW) -> dict[str, str]:
    return {e.entity_id: e.outcome for e in rule_object.evaluate(store, entity_ids, now)}

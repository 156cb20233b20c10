"""Invented sample records for the store contract (``search.testing``), in French and English.

Names ("parfait", "decu", ...) let the contract state expectations by meaning rather than by
hashed id. Nothing here comes from a real review site or data set. Reads no settings.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from search.documents import Mention, RatingSnapshot, Review, make_mention_id, make_review_id, make_snapshot_id

UTC = timezone.utc
PARIS_WINTER = timezone(timedelta(hours=1))
CAFE, PIZZERIA = "cafe-du-port", "pizzeria-luna"


def make_sample_review(name, entity, source, language, rating, label, published, title, text) -> Review:
    return Review(
        review_id=make_review_id(source, name), source=source, platform="schema_org", external_id=name,
        entity_id=entity, rating=rating, title=title, text=text, language=language,
        published_at=published, sentiment_label=label,
    )


# name, entity, source, language, rating, sentiment, published, title, text
_REVIEWS = [
    ("parfait", CAFE, "port-site", "fr", 5, "positive", datetime(2024, 3, 1, 9, tzinfo=UTC), "Un café parfait",
     "Le café était délicieux et l'accueil chaleureux. Service rapide, je recommande !"),
    ("decu", CAFE, "port-site", "fr", 2, "negative", datetime(2024, 3, 5, 12, 30, tzinfo=PARIS_WINTER), "Déçu",
     "Service lent et croissant froid. La crème brûlée était ratée."),
    ("harbour", CAFE, "port-maps", "en", 4, "positive", datetime(2024, 3, 10, 18, tzinfo=UTC), "Nice coffee by the harbour",
     "Great coffee and friendly staff, but the terrace was crowded."),
    ("never", CAFE, "port-maps", "en", 1, "negative", datetime(2024, 3, 12, 8, tzinfo=UTC), "Never again",
     "Cold coffee, rude waiter, dirty tables. Slow service ruined our morning."),
    ("unrated", CAFE, "port-site", "fr", None, None, None, None,
     "Pas de note, juste un mot : ambiance sympa."),
    ("correcte", PIZZERIA, "luna-site", "fr", 3, "neutral", datetime(2024, 3, 3, 20, tzinfo=UTC), "Pizza correcte",
     "La pizza était correcte mais la pâte un peu molle. Service rapide."),
    ("best", PIZZERIA, "luna-site", "en", 4.5, "positive", datetime(2024, 3, 8, 19, tzinfo=UTC), "Best pizza in town",
     "Wood-fired pizza, crispy crust. The tiramisu was excellent & cheap (<8 €)."),
]


def sample_reviews() -> dict[str, Review]:
    """Seven reviews of two entities; "unrated" has neither rating nor date."""
    return {row[0]: make_sample_review(*row) for row in _REVIEWS}


def sample_mentions() -> dict[str, Mention]:
    def mention(name, entity, language, published, title, text):
        return Mention(mention_id=make_mention_id("local-news", f"https://news.invalid/{name}", text),
                       source="local-news", platform="news", entity_id=entity, language=language,
                       published_at=published, title=title, text=text, url=f"https://news.invalid/{name}")

    return {
        "terrasse": mention("terrasse", CAFE, "fr", datetime(2024, 3, 6, 7, tzinfo=UTC), "Le Café du Port rouvre sa terrasse",
                            "La terrasse rouvre ce printemps avec un nouveau chef."),
        "kitchen": mention("kitchen", PIZZERIA, "en", datetime(2024, 3, 9, 10, tzinfo=UTC), "Luna opens a second kitchen",
                           "The pizzeria opens a second kitchen near the station."),
    }


def make_sample_snapshot(entity: str, source: str, observed: datetime, average: float) -> RatingSnapshot:
    return RatingSnapshot(snapshot_id=make_snapshot_id(source, entity, observed), source=source,
                          platform="schema_org", entity_id=entity, average=average, rating_count=120,
                          observed_at=observed)

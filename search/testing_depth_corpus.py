"""Invented records for the search-depth and comparison contracts (``search.testing_depth``).

Three businesses over May 2024 (the comparison window), April 2024 (the window before) and
older or undated reviews, with aspects, flags, sentiment scores, one authenticity weight and
mentions, so that every figure of ``entity_figures`` and every facet has a value worth
checking. Names ("a1", "b3") let the contracts state expectations by meaning. Every text was
written for this file, in French and English. Reads no settings.
"""

from __future__ import annotations

from datetime import datetime, timezone

from search.documents import Mention, Review, make_mention_id, make_review_id

UTC = timezone.utc
NORD, SUD, EST = "atelier-nord", "brasserie-sud", "creperie-est"
WINDOW_SINCE, WINDOW_UNTIL = datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)

# name, entity, language, rating, label, score, published, aspects, flags, weight, title, text
_REVIEWS = [
    ("a1", NORD, "fr", 5, "positive", 0.8, datetime(2024, 5, 2, 10, tzinfo=UTC), ["service", "prix"], ["verified"], None,
     "Service impeccable", "Un service impeccable et des prix doux, je reviendrai avec plaisir."),
    ("a2", NORD, "en", 4, "positive", 0.5, datetime(2024, 5, 6, 12, tzinfo=UTC), ["service"], ["verified"], 0.5,
     "Friendly service", "Friendly service and a quiet room, a little slow at lunch."),
    ("a3", NORD, "fr", 1, "negative", -0.7, datetime(2024, 5, 7, 19, tzinfo=UTC), ["attente", "service"],
     ["suspect-burst"], None, "Attente interminable", "Une attente interminable et un serveur désagréable."),
    ("a4", NORD, "en", 2, "negative", -0.4, datetime(2024, 5, 20, 8, 30, tzinfo=UTC), ["prix"], [], None,
     "Overpriced", "Overpriced pastries, the coffee was fine though."),
    ("a5", NORD, "fr", 3, "neutral", 0.0, datetime(2024, 4, 15, 9, tzinfo=UTC), ["service"], [], None,
     "Correct", "Service correct, rien de spécial à signaler."),
    ("a6", NORD, "en", 5, "positive", 0.9, datetime(2023, 12, 1, 11, tzinfo=UTC), ["cuisine"], [], None,
     "Lovely brunch", "Lovely brunch with generous portions and a warm welcome."),
    ("a7", NORD, "fr", 4, "positive", 0.6, None, [], [], None,
     "Bonne adresse", "Bonne adresse pour un café rapide avant le travail."),
    ("a8", NORD, "fr", None, "neutral", 0.1, datetime(2024, 5, 10, 15, tzinfo=UTC), ["terrasse"], [], None,
     None, "Pas de note, mais une belle terrasse au soleil."),
    ("a9", NORD, "en", 5, "positive", 0.9, datetime(2024, 6, 1, 0, 0, tzinfo=UTC), [], [], None,
     "June already", "First visit in June, the service was quick and kind."),
    ("b1", SUD, "en", 4.5, "positive", 0.7, datetime(2024, 5, 3, 20, tzinfo=UTC), ["cuisine"], [], None,
     "Great food", "Great food and a cosy terrace by the river."),
    ("b2", SUD, "fr", 3.5, "neutral", 0.1, datetime(2024, 5, 15, 13, tzinfo=UTC), ["cuisine", "prix"], [], None,
     "Plats corrects", "Plats corrects, addition un peu salée pour le quartier."),
    ("b3", SUD, "en", 2.4, "negative", -0.5, datetime(2024, 5, 31, 23, 59, 59, tzinfo=UTC), ["service"], [], None,
     "Slow", "Slow service on a busy night, we waited an hour."),
    ("b4", SUD, "fr", 1.5, "negative", -0.6, datetime(2024, 4, 20, 21, tzinfo=UTC), [], [], None,
     "Froid", "Plat arrivé froid, dommage pour une brasserie."),
]

# name, entity, language, published, title, text
_MENTIONS = [
    ("m1", NORD, "fr", datetime(2024, 5, 12, 7, tzinfo=UTC), "L'Atelier Nord agrandit sa salle",
     "L'atelier agrandit sa salle et embauche deux serveurs."),
    ("m2", SUD, "en", datetime(2024, 5, 13, 7, tzinfo=UTC), "Brasserie Sud wins a local prize",
     "The brasserie won the neighbourhood prize for its terrace."),
    ("m3", EST, "fr", datetime(2024, 5, 14, 7, tzinfo=UTC), "La Crêperie Est ouvre le dimanche",
     "La crêperie ouvre désormais le dimanche midi."),
    ("m4", EST, "en", datetime(2024, 5, 25, 7, tzinfo=UTC), "Creperie Est on the radio",
     "The creperie was featured on the morning radio show."),
    ("m5", NORD, "fr", datetime(2024, 4, 10, 7, tzinfo=UTC), "Travaux rue du Nord",
     "Des travaux rue du Nord gênent l'accès à l'atelier."),
]


# Per-aspect sentiment from the analysis, where it differs from the review's overall score.
_ASPECT_SENTIMENTS = {"a1": {"prix": 0.3}}


def depth_reviews() -> dict[str, Review]:
    reviews = {}
    for name, entity, language, rating, label, score, published, aspects, flags, weight, title, text in _REVIEWS:
        source = f"{entity.split('-')[1]}-{'site' if language == 'fr' else 'maps'}"
        reviews[name] = Review(
            review_id=make_review_id(source, name), source=source, platform="schema_org", external_id=name,
            entity_id=entity, rating=rating, title=title, text=text, language=language, published_at=published,
            sentiment_label=label, sentiment_score=score, aspects=aspects, flags=flags, authenticity_weight=weight,
            aspect_sentiments=_ASPECT_SENTIMENTS.get(name, {}),
        )
    return reviews


def depth_mentions() -> dict[str, Mention]:
    return {
        name: Mention(mention_id=make_mention_id("press", f"https://press.invalid/{name}", text), source="press",
                      platform="news", entity_id=entity, language=language, published_at=published, title=title,
                      text=text, url=f"https://press.invalid/{name}")
        for name, entity, language, published, title, text in _MENTIONS
    }


def depth_names() -> dict[str, str]:
    """doc_id -> short name, to state expectations by name."""
    return {record.doc_id: name for name, record in {**depth_reviews(), **depth_mentions()}.items()}

"""Deterministic synthetic reviews for the search, index and compare benchmarks.

``generate_reviews(count, seed)`` yields ``Review`` records in batches: the same seed gives the
same reviews, ids included, on every machine. Texts are built from a small French and English
vocabulary written for this file (openings, one to three aspect sentences whose tone follows the
rating, a closing), so words, phrases and aspects repeat the way real reviews do while no two
texts are alike. 1,000 businesses with a skewed popularity (a few get most reviews), two sources
each, two years of dates, a positive skew in ratings, some undated reviews, flags and
authenticity weights. Nothing here comes from a real review or data set.

Used by ``benchmarks/index_throughput.py``, ``search_latency.py`` and ``compare_entities.py``.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Iterator

from search.documents import Review, make_review_id

ENTITIES = 1000
END = datetime(2026, 11, 1, tzinfo=timezone.utc)
SPAN_DAYS = 730

OPENINGS = {
    "fr": ["Nous sommes venus un samedi midi.", "Première visite hier soir.", "Je passe ici chaque matin.",
           "Venue en famille pour un anniversaire.", "Petit déjeuner rapide avant le travail.",
           "Dîner entre amis en terrasse.", "Commande à emporter ce midi.", "Deuxième visite ce mois-ci."],
    "en": ["We came on a Saturday lunchtime.", "First visit last night.", "I stop here every morning.",
           "Came with the family for a birthday.", "Quick breakfast before work.", "Dinner with friends on the terrace.",
           "Takeaway order at lunch.", "Second visit this month."],
}
# aspect -> (positive sentences, negative sentences) per language
ASPECTS = {
    "service": {"fr": (["Service rapide et souriant.", "Le serveur était aux petits soins.", "Accueil chaleureux, on se sent attendu."],
                       ["Service lent, personne ne venait prendre la commande.", "Serveur désagréable et pressé.",
                        "Temps d'attente interminable avant d'être servis."]),
                "en": (["Friendly and quick service.", "The waiter was very attentive.", "Warm welcome at the door."],
                       ["Slow service, nobody came to take our order.", "Rude waiter who rushed us.",
                        "We waited forever to be served."])},
    "prix": {"fr": (["Prix raisonnables pour la qualité.", "L'addition reste douce.", "Formule du midi très abordable."],
                    ["Addition salée pour des portions maigres.", "Trop cher pour ce que c'est.", "Prix en hausse sans raison."]),
             "en": (["Fair prices for the quality.", "The bill was reasonable.", "Great value lunch menu."],
                    ["Overpriced for tiny portions.", "Far too expensive for what it is.", "Prices went up for no reason."])},
    "cuisine": {"fr": (["Cuisine savoureuse, produits frais.", "Le croissant était croustillant à souhait.",
                        "Crème brûlée parfaite, vraiment délicieuse."],
                       ["Plat arrivé froid et fade.", "Croissant rassis et pâte molle.", "Cuisine sans goût, très décevante."]),
                "en": (["Tasty food made with fresh produce.", "The croissant was perfectly crispy.", "Delicious pastries and great coffee."],
                       ["The dish arrived cold and bland.", "Stale pastries and soggy crust.", "Tasteless food, very disappointing."])},
    "ambiance": {"fr": (["Ambiance calme et lumineuse.", "Belle terrasse au soleil.", "Musique douce, cadre agréable."],
                        ["Salle bruyante, impossible de discuter.", "Terrasse sale et tables collantes.", "Trop de monde, ambiance étouffante."]),
                 "en": (["Calm and bright room.", "Lovely sunny terrace.", "Soft music and a pleasant setting."],
                        ["Noisy room, impossible to talk.", "Dirty terrace and sticky tables.", "Far too crowded and stuffy."])},
    "proprete": {"fr": (["Toilettes impeccables.", "Tout était propre et rangé."], ["Toilettes sales.", "Vaisselle mal lavée."]),
                 "en": (["Spotless restrooms.", "Everything was clean and tidy."], ["Dirty restrooms.", "Badly washed dishes."])},
    "attente": {"fr": (["Aucune attente malgré l'affluence."], ["Quarante minutes d'attente pour un café."]),
                "en": (["No wait despite the crowd."], ["Forty minutes of waiting for a coffee."])},
}
CLOSINGS = {"fr": ["Je recommande.", "Nous reviendrons.", "À éviter.", "Bof, sans plus.", "Une adresse à retenir."],
            "en": ["Highly recommended.", "We will be back.", "Avoid.", "Meh, nothing special.", "A place to remember."]}
TITLES = {"fr": ["Très bonne adresse", "Déçu", "Correct", "Parfait", "Pas terrible", "Excellent accueil", "Bof"],
          "en": ["Great spot", "Disappointed", "Decent", "Perfect", "Not great", "Lovely welcome", "Meh"]}
RATING_WEIGHTS = [(1, 14), (2, 8), (3, 12), (4, 26), (5, 40)]


def entity_ids(count: int = ENTITIES) -> list[str]:
    return [f"biz-{n:04d}" for n in range(count)]


def generate_reviews(count: int, seed: int = 42, batch_size: int = 10_000,
                     entities: int = ENTITIES) -> Iterator[list[Review]]:
    """``count`` reviews in batches of ``batch_size``; deterministic for a given seed."""
    rng = random.Random(seed)
    ids = entity_ids(entities)
    popularity = [1 / (rank + 1) ** 0.8 for rank in range(entities)]  # a few businesses get most reviews
    produced = 0
    while produced < count:
        size = min(batch_size, count - produced)
        entity_choice = rng.choices(ids, weights=popularity, k=size)
        yield [_review(rng, produced + i, entity_choice[i]) for i in range(size)]
        produced += size


def _review(rng: random.Random, number: int, entity: str) -> Review:
    language = "fr" if rng.random() < 0.55 else "en"
    rating = rng.choices([r for r, _w in RATING_WEIGHTS], weights=[w for _r, w in RATING_WEIGHTS])[0]
    positive = rating >= 4 or (rating == 3 and rng.random() < 0.5)
    aspects = rng.sample(list(ASPECTS), k=rng.choice((1, 1, 2, 2, 3)))
    sentences = [rng.choice(OPENINGS[language])]
    for aspect in aspects:
        good, bad = ASPECTS[aspect][language]
        sentences.append(rng.choice(good if positive else bad))
    sentences.append(rng.choice(CLOSINGS[language]))
    score = round(max(-1.0, min(1.0, (rating - 3) / 2 + rng.uniform(-0.25, 0.25))), 3)
    label = "positive" if score > 0.2 else "negative" if score < -0.2 else "neutral"
    published = None if rng.random() < 0.02 else END - timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
    flags = [flag for flag, share in (("verified", 0.2), ("suspect-burst", 0.03)) if rng.random() < share]
    source = f"{entity}-{'site' if rng.random() < 0.6 else 'maps'}"
    return Review(
        review_id=make_review_id(source, f"b{number}"), source=source, platform="schema_org", external_id=f"b{number}",
        entity_id=entity, rating=rating, title=rng.choice(TITLES[language]), text=" ".join(sentences), language=language,
        published_at=published, collected_at=END, sentiment_score=score, sentiment_label=label, aspects=aspects,
        flags=flags, authenticity_weight=round(rng.uniform(0.2, 1.0), 2) if rng.random() < 0.05 else None,
    )

"""Invented review streams for the authenticity tests: ordinary customers, and campaigns planted in them.

Every text is written here by starwatch (English and French); nothing comes from a review site
or a shared dataset. Ordinary reviews are assembled from independent parts (what was ordered,
when, with whom, a detail, a verdict) plus a serial detail, so no two are near-duplicates;
a burst repeats one template with small changes, as paid writers do.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from search.documents import Review, make_review_id

UTC = timezone.utc
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)

_EN = {
    "visit": ["Stopped by on a rainy Tuesday",
    "Went there after work with two colleagues", "Took my parents for brunch",
              "Grabbed a quick lunch between meetings", "Came back for the third time this month",
              "Visited with a friend from Montreal", "Dropped in before the cinema", "Met a client there at noon",
              "Walked over from the station", "Celebrated a small birthday"],
    "order": ["the mushroom risotto", "a flat white and a lemon tart", "the vegetarian burger", "their seasonal soup",
              "a plate of grilled sardines", "the Sunday roast",
              "two espressos and a croissant", "the quiche of the day",
              "pancakes with maple syrup", "a chai latte"],
    "detail": ["the terrace was packed", "the music was a bit loud", "parking nearby was a nightmare",
               "the waiter remembered our names", "we waited twenty minutes for a table", "the bread is baked in house",
               "the menu changed since spring", "prices went up a little", "a dog slept under the next table",
               "the windows fog up in winter"],
    "second": ["Portions are generous.", "Cutlery looked tired.", "Tap water came without asking.",
               "Card payment only above ten euros.", "Kids got crayons.", "Tables wobble slightly.",
               "Toilets were spotless.", "Heating was too strong.", "Napkins are cloth, nice touch.",
               "Wifi password on the wall."],
    "verdict": ["Decent but not memorable.", "Honestly one of our better meals this year.", "Fine for a quick bite.",
                "I expected more for the price.",
                "Would go again for the dessert alone.", "Service slipped at the end.",
                "Good value overall.", "Mixed feelings."],
}
_FR = {
    "visit": ["Passés un jeudi soir", "Déjeuner rapide entre deux rendez-vous", "Venus en famille un dimanche",
              "Pause café après le marché",
              "Dîner d'anniversaire avec des amis", "Première visite sur conseil d'un voisin",
              "Soirée entre collègues", "Arrêt imprévu sous la pluie"],
    "order": ["le tartare de saumon", "une crêpe au sarrasin", "le plat du jour", "un cappuccino et un financier",
              "la salade de chèvre chaud", "le magret aux cerises", "une soupe à l'oignon", "des moules frites"],
    "detail": ["la salle était bruyante", "le serveur était débordé", "la terrasse donne sur le port",
               "la carte a changé depuis l'été",
               "il a fallu attendre pour payer", "le pain vient d'une boulangerie voisine",
               "les chaises sont inconfortables", "la vaisselle est dépareillée"],
    "second": ["Portions copieuses.", "Carafe d'eau servie spontanément.", "Paiement par carte accepté.",
               "Chaises hautes pour les enfants.", "Toilettes impeccables.", "Chauffage un peu fort.",
               "Serviettes en tissu.", "Musique discrète."],
    "verdict": ["Correct sans plus.", "Très bonne adresse, on reviendra.", "Un peu cher pour ce que c'est.",
                "Accueil chaleureux, cuisine inégale.", "Rien à redire, parfait pour un midi.", "Mitigé."],
}
BURST_TEMPLATE = ("Absolutely the best {place} in the whole city! The staff were {adjective} and the {item} was "
                  "outstanding. Five stars, I will recommend it to all my friends{end}")
BURST_SLOTS = {"place": ["bistro", "restaurant", "spot", "café"], "adjective": ["amazing", "so friendly", "wonderful"],
               "item": ["food", "coffee", "dessert"], "end": ["!", "!!", ", no doubt!", " and family!"]}
RATINGS = [5] * 8 + [4] * 6 + [3] * 3 + [2] * 2 + [1] * 2


class TextMaker:
    """Ordinary texts that share at most two of their five parts with any text it made before.

    Pass one maker to several ``ordinary_stream`` calls to keep their entities' texts apart too.
    """

    MAX_SHARED_PARTS = 2

    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.made: list[tuple[str, ...]] = []

    def text(self, serial: int, language: str = "en") -> str:
        bank = _EN if language == "en" else _FR
        for _ in range(10_000):
            parts = tuple(self.rng.choice(options) for options in bank.values())
            if all(sum(a == b for a, b in zip(parts, earlier)) <= self.MAX_SHARED_PARTS for earlier in self.made):
                break
        self.made.append(parts)
        visit, order, detail, second, verdict = parts
        return f"{visit}: {order}, {detail}. {second} {verdict} #{serial}"


def review(entity: str, key: str, text: str, rating: float | None, published: datetime | None,
           author: str | None = None, source: str | None = None, language: str = "en", **fields) -> Review:
    source = source or f"{entity}-site"
    return Review(review_id=make_review_id(source, key), source=source, platform="schema_org", external_id=key,
                  entity_id=entity, author_hash=author, rating=rating, text=text, language=language,
                  published_at=published, **fields)


def ordinary_stream(entity: str, count: int, *, days: int = 360, seed: int = 1, authors: bool = True,
                    dated: bool = True, start: datetime = START, source: str | None = None,
                    maker: TextMaker | None = None) -> list[Review]:
    """``count`` unremarkable reviews spread at random over ``days`` days, one author each."""
    rng = random.Random(f"{entity}-{seed}")
    maker = maker or TextMaker(seed)
    reviews = []
    for index in range(count):
        language = "fr" if index % 3 == 2 else "en"
        published = start + timedelta(days=rng.uniform(0, days)) if dated else None
        author = f"a_{entity}_{seed}_{index}" if authors else None
        reviews.append(review(entity, f"ord-{seed}-{index}", maker.text(index, language),
                              float(rng.choice(RATINGS)), published, author, source, language))
    return reviews


def burst(entity: str, count: int, day: datetime, *, seed: int = 7, rating: float = 5.0,
          source: str | None = None, authors: bool = True) -> list[Review]:
    """``count`` near-duplicate reviews posted within one day by fresh accounts."""
    rng = random.Random(f"burst-{entity}-{seed}")
    reviews = []
    for index in range(count):
        text = BURST_TEMPLATE.format(**{slot: rng.choice(options) for slot, options in BURST_SLOTS.items()})
        author = f"a_burst_{entity}_{seed}_{index}" if authors else None
        reviews.append(review(entity, f"burst-{seed}-{index}", text, rating, day + timedelta(minutes=37 * index),
                              author, source))
    return reviews

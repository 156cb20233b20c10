"""Synthetic campaigns to inject into real review streams, and the real streams themselves.

Everything synthetic here is invented by starwatch (templates below); the real reviews are read
at run time from the shared datasets and never stored in the repository.

Real streams:
- Yelp (36 coffee shops) has no dates: each shop's reviews get arrival times from a homogeneous
  Poisson process over the two years before 2013-01-01 (uniform order statistics, a fixed seed
  per shop). Real arrivals are burstier than that, so false alarms on Yelp measure the tests
  against ideal arrivals; Amazon gives the real ones.
- Amazon fashion: real dates and reviewer ids; a review shown on several sibling listings
  becomes one review per listing (same author, text and date), as a crawler of each listing
  would store it.

Injected campaigns (each review gets a fresh author id: the accounts of a campaign are new):
- burst: 6-20 near-duplicate 5★ reviews over 1-3 consecutive days, from one template with
  slots varied per review;
- solicited: 4-8 reviews over about six weeks that mention an incentive or a request for a
  review (English and French), with varied wording;
- gated: over 120 days the real reviews of 3★ or less disappear and invited 4-5★ reviews
  arrive at twice the shop's usual rate, each written differently (no shared template);
- diverse burst (a stress test beyond the targets): like a burst, but each review worded
  differently, so only the timing and the accounts give it away.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from benchmarks.authenticity_datasets import RealReview
from search.documents import Review, make_review_id

YELP_END = datetime(2013, 1, 1, tzinfo=timezone.utc)
YELP_SPAN_DAYS = 730

OPENINGS = ["Absolutely loved", "Really loved", "We loved", "So happy with", "Totally impressed by",
            "Very pleased with"]
THINGS = ["the service", "this place", "the whole experience", "everything here", "the quality"]
MIDDLES = [
    "The staff were friendly and helpful from start to finish",
    "The team was friendly and so helpful from the start to the finish",
    "Friendly, helpful staff from start to finish",
]
DETAILS = ["and the prices are very fair", "and prices are fair for the quality", "and the price was more than fair"]
CLOSINGS = ["Highly recommend to everyone!", "Would highly recommend to anyone!", "I recommend it to all my friends!",
            "Five stars, will be back for sure!", "Definitely coming back, five stars!"]
EXTRAS = ["", " Best in town.", " Best in town by far.", " You will not regret it."]

SOLICITED = [
    "The manager offered us a free drink if we left a five star review today. The {thing} was fine.",
    "They gave me a 10% discount in exchange for my honest review, so here it is: {thing} was good.",
    "The owner asked us to leave a 5 star review before we left. Nice {thing} anyway.",
    "Got a voucher for a review, happy to write one. {thing} was pleasant and quick.",
    "Le gérant nous a demandé de laisser un avis 5 étoiles en partant. Service correct.",
    "On nous a offert le dessert contre un avis sur le site. Repas agréable.",
    "Staff asked me to leave a review and give five stars for the raffle. {thing} is ok.",
    "Received this at a discount in exchange for my honest review. {thing} works as expected.",
]
THING_WORDS = ["coffee", "service", "product", "place", "experience", "quality"]

GATED_SUBJECTS = ["The latte", "Our order", "The barista", "This spot", "The cold brew", "Their pastries", "The staff",
                  "The music", "The patio", "My cappuccino", "The wifi", "The decor", "The muffin", "The service"]
GATED_VERBS = ["was", "felt", "seemed", "turned out"]
GATED_ADJECTIVES = ["lovely", "great", "really good", "delightful", "excellent", "tasty", "welcoming", "spot on",
                    "wonderful", "top notch", "very nice", "superb"]
GATED_TAILS = ["I'll return.", "Will come again soon.", "Nice afternoon overall.", "Good value.", "Worth a visit.",
               "Recommended.", "A happy morning.", "Glad I stopped by.", "Pleasant stay.", "Nice find."]


@dataclass
class Injected:
    """The ground truth of one injected campaign."""

    kind: str  # burst, solicited, gated
    entity_id: str
    review_ids: list[str]
    start: datetime
    end: datetime
    removed_ids: tuple[str, ...] = ()


def author_hash(raw: str | None) -> str | None:
    return None if not raw else "a_" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def yelp_reviews(real: list[RealReview]) -> list[Review]:
    by_entity: dict[str, list[RealReview]] = {}
    for review in real:
        by_entity.setdefault(review.entity, []).append(review)
    reviews = []
    for entity, items in sorted(by_entity.items()):
        rng = random.Random(entity)
        offsets = sorted(rng.uniform(0, YELP_SPAN_DAYS) for _ in items)
        rng.shuffle(items)
        for index, (item, offset) in enumerate(zip(items, offsets)):
            published = YELP_END - timedelta(days=YELP_SPAN_DAYS) + timedelta(days=offset)
            reviews.append(_review(f"yelp-{entity}", entity, f"{entity}-{index}", item.author, item.stars,
                                   item.text, published))
    return reviews


def amazon_reviews(real: list[RealReview]) -> list[Review]:
    reviews = []
    for index, item in enumerate(real):
        for listing in item.listings or (item.entity,):
            reviews.append(_review(f"amazon-{listing}", listing, f"{index}", item.author, item.stars, item.text,
                                   item.published_at))
    return reviews


def _review(source: str, entity: str, external_id: str, author: str | None, stars: float, text: str,
            published: datetime | None, language: str = "en") -> Review:
    return Review(review_id=make_review_id(source, external_id), source=source, platform="benchmark",
                  external_id=external_id, entity_id=entity, author_hash=author_hash(author), rating=float(stars),
                  text=text, language=language, published_at=published)


def burst_texts(rng: random.Random, size: int) -> list[str]:
    base = [rng.choice(options) for options in (OPENINGS, THINGS, MIDDLES, DETAILS, CLOSINGS)]
    texts = []
    for _ in range(size):
        parts = list(base)
        for slot in rng.sample(range(5), 2):  # each review varies two of the five slots
            parts[slot] = rng.choice((OPENINGS, THINGS, MIDDLES, DETAILS, CLOSINGS)[slot])
        texts.append(f"{parts[0]} {parts[1]}! {parts[2]} {parts[3]}. {parts[4]}{rng.choice(EXTRAS)}")
    return texts


def inject_burst(rng: random.Random, entity: str, stream: list[Review], tag: str) -> tuple[list[Review], Injected]:
    size, days = rng.randint(6, 20), rng.randint(1, 3)
    start = _random_moment(rng, stream)
    reviews = []
    for index, text in enumerate(burst_texts(rng, size)):
        published = start + timedelta(days=rng.randrange(days), hours=rng.uniform(0, 20))
        reviews.append(_review(f"inject-{tag}", entity, f"burst-{index}", f"{tag}-author-{index}", 5, text, published))
    return reviews, Injected("burst", entity, [r.review_id for r in reviews], start, start + timedelta(days=days))


def inject_diverse_burst(rng: random.Random, entity: str, stream: list[Review],
                         tag: str) -> tuple[list[Review], Injected]:
    """A stress test beyond the targets: a 1-2 day burst of 5★ reviews, each worded differently."""
    size, days = rng.randint(6, 20), rng.randint(1, 2)
    start = _random_moment(rng, stream)
    reviews = []
    for index in range(size):
        text = (f"{rng.choice(GATED_SUBJECTS)} {rng.choice(GATED_VERBS)} {rng.choice(GATED_ADJECTIVES)}. "
                f"{rng.choice(GATED_TAILS)}")
        published = start + timedelta(days=rng.randrange(days), hours=rng.uniform(0, 20))
        reviews.append(_review(f"inject-{tag}", entity, f"diverse-{index}", f"{tag}-author-{index}", 5, text,
                               published))
    return reviews, Injected("diverse_burst", entity, [r.review_id for r in reviews], start,
                             start + timedelta(days=days))


def inject_solicited(rng: random.Random, entity: str, stream: list[Review], tag: str) -> tuple[list[Review], Injected]:
    size = rng.randint(4, 8)
    start = _random_moment(rng, stream)
    reviews = []
    for index, template in enumerate(rng.sample(SOLICITED, size)):
        text = template.format(thing=rng.choice(THING_WORDS).capitalize() if template.startswith("{") else
                               rng.choice(THING_WORDS))
        language = "fr" if any(w in text for w in ("nous", "étoiles", "avis")) else "en"
        published = start + timedelta(days=rng.uniform(0, 45))
        reviews.append(_review(f"inject-{tag}", entity, f"solicited-{index}", f"{tag}-author-{index}",
                               rng.choice((5, 5, 4)), text, published, language))
    return reviews, Injected("solicited", entity, [r.review_id for r in reviews], start, start + timedelta(days=45))


def inject_gated(rng: random.Random, entity: str, stream: list[Review], tag: str) -> tuple[list[Review], Injected]:
    """Remove the window's real ≤3★ reviews; add invited 4-5★ reviews at twice the usual rate."""
    dated = sorted(r.published_at for r in stream if r.published_at)
    span_days = max((dated[-1] - dated[0]).days, 1)
    rate = len(dated) / span_days
    start = _random_moment(rng, stream, margin_days=120)
    end = start + timedelta(days=120)
    removed = tuple(r.review_id for r in stream if r.published_at and start <= r.published_at < end and r.rating <= 3)
    count = max(8, round(2 * rate * 120))
    reviews = []
    for index in range(count):
        text = (f"{rng.choice(GATED_SUBJECTS)} {rng.choice(GATED_VERBS)} {rng.choice(GATED_ADJECTIVES)}. "
                f"{rng.choice(GATED_TAILS)}")
        published = start + timedelta(days=rng.uniform(0, 120))
        reviews.append(_review(f"inject-{tag}", entity, f"gated-{index}", f"{tag}-author-{index}",
                               rng.choice((4, 5, 5)), text, published))
    return reviews, Injected("gated", entity, [r.review_id for r in reviews], start, end, removed)


def _random_moment(rng: random.Random, stream: list[Review], margin_days: int = 5) -> datetime:
    dated = sorted(r.published_at for r in stream if r.published_at)
    first, last = dated[0], dated[-1] - timedelta(days=margin_days)
    if last <= first:
        return first
    return first + timedelta(seconds=rng.uniform(0, (last - first).total_seconds()))

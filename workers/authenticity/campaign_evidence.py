"""The evidence of a campaign, in numbers and in one plain sentence a customer-experience team reads.

What ties the members together: the phrases most of them share (word 4-grams), the days they
were posted on and how many came each day, how many distinct authors wrote them and how many
of those have no other review, their ratings, the entities they touch. Reads no settings.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Sequence

from search.documents import Review
from workers.authenticity import flags as F
from workers.authenticity.arrivals import GatedWindow
from workers.authenticity.duplicates import fold
from workers.authenticity.review_signals import AssessedReview, Findings, describe_p

PHRASE_WORDS = 4
_SENTENCE_END = re.compile(r"[.!?;:\n]+")
MAX_PHRASES = 3
KIND_WORDS = {"same_phrasing": "sharing their wording", "same_days": "posted together on high-volume days",
              "same_authors": "written by the same authors across businesses",
              "solicitation": "mentioning an incentive or a request for reviews"}


def _sentences(review: Review) -> list[list[str]]:
    text = " . ".join(part for part in (review.title, review.text) if part)
    return [words for words in (fold(sentence).split() for sentence in _SENTENCE_END.split(text)) if words]


def _grams(words: list[str]) -> list[str]:
    return [" ".join(words[i:i + PHRASE_WORDS]) for i in range(len(words) - PHRASE_WORDS + 1)]


def shared_phrases(reviews: Sequence[Review]) -> list[str]:
    """Up to three longest runs of words shared by at least half of the reviews (and two at least).

    Word 4-grams are counted once per review, within sentences; consecutive shared 4-grams of one
    review are joined back into the run they come from ("will recommend it to all my friends").
    """
    counts: Counter[str] = Counter()
    for review in reviews:
        counts.update({gram for words in _sentences(review) for gram in _grams(words)})
    needed = max(2, (len(reviews) + 1) // 2)
    runs: set[str] = set()
    for review in reviews:
        for words in _sentences(review):
            shared = [counts[gram] >= needed for gram in _grams(words)]
            start = None
            for index, flag in enumerate(shared + [False]):
                if flag and start is None:
                    start = index
                elif not flag and start is not None:
                    runs.add(" ".join(words[start:index - 1 + PHRASE_WORDS]))
                    start = None
    ranked = sorted(runs, key=lambda run: (-len(run.split()), run))
    chosen: list[str] = []
    for run in ranked:
        if not any(run in longer for longer in chosen):
            chosen.append(run)
    return chosen[:MAX_PHRASES]


def member_reason(campaign_id: str, size: int, kinds: list[str]) -> str:
    ties = " and ".join(KIND_WORDS[k] for k in kinds if k in KIND_WORDS)
    return f"part of suspected campaign {campaign_id}: {size} reviews {ties}"


def describe_campaign(members: list[AssessedReview], kinds: list[str], findings: Findings) -> dict[str, Any]:
    """Evidence numbers plus ``summary``, one sentence naming what ties the members together."""
    reviews = [item.review for item in members]
    days = Counter(r.published_at.date().isoformat() for r in reviews if r.published_at)
    authors = {r.author_hash for r in reviews if r.author_hash}
    one_hit = sum(1 for item in members if item.has(F.ONE_HIT_WONDER))
    ratings = Counter(f"{r.rating:g}" for r in reviews if r.rating is not None)
    phrases = shared_phrases(reviews)
    entities = sorted({r.entity_id for r in reviews})
    evidence: dict[str, Any] = {
        "days": dict(sorted(days.items())), "ratings": dict(sorted(ratings.items())), "phrases": phrases,
        "distinct_authors": len(authors), "authors_known": sum(1 for r in reviews if r.author_hash),
        "one_hit_wonders": one_hit, "entities": entities,
        "high_volume_days": sorted(d for d in days if _is_high_volume(findings, reviews, d)),
    }
    evidence["summary"] = _sentence(len(members), entities, ratings, days, phrases, kinds, authors, one_hit)
    return evidence


def _is_high_volume(findings: Findings, reviews: list[Review], day: str) -> bool:
    return any(day in {d.isoformat() for d in findings.high_volume.get(r.entity_id, {})} for r in reviews)


def _sentence(size, entities, ratings, days, phrases, kinds, authors, one_hit) -> str:
    stars = ", ".join(f"{n}×{star}★" for star, n in sorted(ratings.items(), key=lambda i: -float(i[0])))
    where = entities[0] if len(entities) == 1 else f"{len(entities)} businesses ({', '.join(entities[:3])})"
    when = ""
    if days:
        first, last = min(days), max(days)
        when = f" posted on {first}" if first == last else f" posted between {first} and {last}"
    ties = " and ".join(KIND_WORDS[k] for k in kinds if k in KIND_WORDS)
    text = f"{size} reviews of {where} ({stars}){when}, {ties}"
    if phrases:
        text += f", e.g. \u201c{phrases[0]}\u201d"
    if authors:
        text += f"; {len(authors)} distinct author(s), {one_hit} with no other review"
    return text


def describe_gated(window: GatedWindow) -> str:
    return (f"between {window.start.isoformat()} and {window.end.isoformat()}, {window.rated} rated reviews with "
            f"{window.low} at 3★ or lower where {window.expected_low_share:.0%} are usual ({window.baseline}; "
            f"chance: {describe_p(window.p_value)}); a business that only invites happy customers looks like this")

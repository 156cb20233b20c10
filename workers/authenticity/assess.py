"""Assess entities: read their reviews, find every signal and campaign, write flags, weights and cards.

``assess_entity(settings, store, entity_id)`` (or ``assess_entities`` for many at once, which reads
the store once) is the whole authenticity stage as one plain function, for a Celery task, the
CLI or a test:

1. read every review in the store (``ReviewStore.iter_reviews``): other entities are needed for
   cross-entity duplicates, author histories and the comparison set;
2. per-review signals with reasons (``review_signals``), gated streams (``arrivals``), campaigns
   (``campaigns``), weights (``weighting``);
3. write back, on the reviews that changed: the ``authenticity:*`` and ``campaign:*`` flags (other
   stages' flags are kept), ``authenticity_reasons`` and ``authenticity_weight`` — so search
   filters, the comparison's adjusted average and the alert engine see them in either backend;
4. build a report card per entity and per source (``report_card``) and replace the entities'
   cards and campaigns in the store (``ReviewStore.replace_authenticity``).

Deletion data comes from the collection stage's review events when the store records them and a
source's full listing has been crawled (``ReviewStore.list_review_events``, ``get_crawl_state``).
Settings read: ``entities`` (which entities to assess by default, and their sources).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Sequence

from config import Settings
from search.authenticity_records import AuthenticityCard, Campaign
from search.backends.base import ReviewStore
from search.documents import Review, utcnow
from workers.authenticity.arrivals import gated_windows
from workers.authenticity.campaigns import find_campaigns, gated_campaigns
from workers.authenticity.card_support import Comparison, build_comparison, star_of
from workers.authenticity.card_tests_people import Deletions
from workers.authenticity.deletions import deletions_of
from workers.authenticity.flags import is_authenticity_flag
from workers.authenticity.report_card import build_card
from workers.authenticity.review_signals import AssessedReview, Findings, find_signals
from workers.authenticity.weighting import apply_weights

logger = logging.getLogger(__name__)
WRITE_BATCH = 500


@dataclass
class Assessment:
    """What one assessment found and wrote."""

    entity_ids: list[str]
    cards: list[AuthenticityCard] = field(default_factory=list)
    campaigns: list[Campaign] = field(default_factory=list)
    reviews_assessed: int = 0
    reviews_updated: int = 0

    def card(self, entity_id: str, source: str | None = None) -> AuthenticityCard | None:
        return next((c for c in self.cards if c.entity_id == entity_id and c.source == source), None)


def assess_entity(settings: Settings, store: ReviewStore, entity_id: str, now: datetime | None = None) -> Assessment:
    """Assess one entity (see the module docstring); returns its cards and campaigns."""
    return assess_entities(settings, store, [entity_id], now=now)


def assess_entities(settings: Settings, store: ReviewStore, entity_ids: Sequence[str] | None = None,
                    now: datetime | None = None) -> Assessment:
    """Assess several entities in one pass over the store (default: every configured or stored entity)."""
    now = now or utcnow()
    everyone = list(store.iter_reviews())
    if entity_ids is None:
        entity_ids = sorted({e.id for e in settings.entities} | {r.entity_id for r in everyone})
    assessment = Assessment(entity_ids=list(dict.fromkeys(entity_ids)))
    targets = [r for r in everyone if r.entity_id in set(assessment.entity_ids)]
    findings = find_signals(targets, everyone)
    comparisons = _comparisons(everyone, findings, assessment.entity_ids)
    assessment.campaigns = find_campaigns(findings, now)
    in_campaigns = {review_id for campaign in assessment.campaigns for review_id in campaign.review_ids}
    gated = {entity: gated_windows(_rated_days(findings, entity, in_campaigns), _low_share(comparisons[entity]))
             for entity in assessment.entity_ids}
    assessment.campaigns += gated_campaigns(findings, gated, now, in_campaigns)
    apply_weights(findings.assessed.values())
    assessment.reviews_assessed = len(targets)
    assessment.reviews_updated = _write_reviews(store, findings.assessed.values())
    for entity in assessment.entity_ids:
        assessment.cards.extend(_cards_of(store, entity, findings, comparisons[entity], assessment.campaigns, now))
    store.replace_authenticity(assessment.entity_ids, assessment.cards, assessment.campaigns)
    store.refresh()
    logger.info("authenticity: assessed %d review(s) of %d entit(ies), updated %d, %d campaign(s)",
                assessment.reviews_assessed, len(assessment.entity_ids), assessment.reviews_updated,
                len(assessment.campaigns))
    return assessment


def _comparisons(everyone: list[Review], findings: Findings, entity_ids: list[str]) -> dict[str, Comparison]:
    """Per entity, the comparison set: every other entity's reviews."""
    total = build_comparison(everyone, findings.histories)
    by_entity: dict[str, list[Review]] = defaultdict(list)
    for review in everyone:
        by_entity[review.entity_id].append(review)
    return {entity: total.minus(build_comparison(by_entity.get(entity, []), findings.histories))
            for entity in entity_ids}


def _rated_days(findings: Findings, entity_id: str, excluded: set[str]) -> list[tuple]:
    return [(i.review.published_at.date(), float(star_of(i.review.rating))) for i in findings.assessed.values()
            if i.review.entity_id == entity_id and i.review.rating is not None and i.review.published_at
            and i.review.review_id not in excluded]


def _low_share(comparison: Comparison) -> float | None:
    """The comparison set's share of 3★ or lower ratings, when it is large enough to stand in."""
    return comparison.share_of_stars(lambda star: star <= 3) if comparison.usable else None


def updated_review(item: AssessedReview) -> Review | None:
    """The review with this assessment's flags, reasons and weight; None when nothing changed."""
    review = item.review
    kept = [flag for flag in review.flags if not is_authenticity_flag(flag)]
    reasons: dict[str, str] = {}
    for signal in item.signals:
        reasons[signal.flag] = f"{reasons[signal.flag]}; {signal.reason}" if signal.flag in reasons else signal.reason
    flags = kept + sorted(reasons)
    if flags == review.flags and reasons == review.authenticity_reasons and item.weight == review.authenticity_weight:
        return None
    return review.model_copy(update={"flags": flags, "authenticity_reasons": reasons,
                                     "authenticity_weight": item.weight})


def _write_reviews(store: ReviewStore, items) -> int:
    changed = [review for review in map(updated_review, items) if review is not None]
    for start in range(0, len(changed), WRITE_BATCH):
        store.upsert_reviews(changed[start:start + WRITE_BATCH])
    return len(changed)


def _cards_of(store: ReviewStore, entity_id: str, findings: Findings, comparison: Comparison,
              campaigns: list[Campaign], now: datetime) -> list[AuthenticityCard]:
    items = [i for i in findings.assessed.values() if i.review.entity_id == entity_id]
    sources = sorted({i.review.source for i in items})
    deletions = deletions_of(store, entity_id, sources)
    common = dict(high_volume=findings.high_volume.get(entity_id, {}), histories=findings.histories,
                  comparison=comparison, campaigns=campaigns, now=now)
    cards = [build_card(entity_id, None, items, deletions=_merged(deletions, sources), **common)]
    for source in sources:
        own = [i for i in items if i.review.source == source]
        cards.append(build_card(entity_id, source, own, deletions=deletions[source], **common))
    return cards


def _merged(deletions: dict[str, Deletions], sources: list[str]) -> Deletions:
    known = [deletions[s] for s in sources if deletions[s].missing_reason is None]
    if not known:
        reasons = {deletions[s].missing_reason for s in sources}
        return Deletions(missing_reason=next(iter(reasons)) if len(reasons) == 1 else
                         "no deletion data for any source of this entity")
    return Deletions(deleted_ratings=[r for d in known for r in d.deleted_ratings])

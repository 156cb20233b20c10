"""Campaigns: suspicious reviews that belong together, surfaced as one unit with their evidence.

Reviews are linked when they share what a campaign shares, and every connected group of at
least ``MIN_CAMPAIGN_SIZE`` reviews becomes a campaign:

- same phrasing: near-duplicate texts by different authors (this entity or another one);
- same days: both posted on high-volume days of one entity within ``SAME_DAYS_GAP`` days of each
  other, on the same side of the scale (both 4★+ or both 2★−), and each carrying another
  suspicious trait (``flags.SUSPICIOUS_TRAITS``) or the star of a lopsided day (a day of
  improbably many 5★, or 1★: ``arrivals.lopsided_days``): an ordinary busy day is not a campaign;
- same authors: one author's suspicious reviews of several entities within ``SAME_AUTHOR_DAYS``;
- solicitation: incentivized or solicited reviews of one entity within ``SOLICITATION_DAYS``.

A gated stream (``arrivals.gated_windows``, tested on the reviews outside the other campaigns,
whose praise would otherwise dilute a window) is a campaign of its own: the reviews of a window
whose low ratings went missing. Its members are real customers, so they are down-weighted
(``flags.GATED_STREAM``), not discarded like the members of the other kinds.
Reads no settings.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime
from statistics import mean
from typing import Iterable

from search.authenticity_records import Campaign, make_campaign_id
from workers.authenticity import flags as F
from workers.authenticity.arrivals import GatedWindow
from workers.authenticity.campaign_evidence import describe_campaign, describe_gated, member_reason, shared_phrases
from workers.authenticity.review_signals import AssessedReview, Findings

MIN_CAMPAIGN_SIZE = 3
MIN_CAMPAIGN_AUTHORS = 3  # one account reviewing several products on one day is a shopper, not a campaign
SAME_DAYS_GAP = 3
SAME_AUTHOR_DAYS = 30
SOLICITATION_DAYS = 60
HIGH, LOW = 4.0, 2.0


class _Groups:
    """Union-find over review ids, remembering why each link was made."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.kinds: dict[str, set[str]] = defaultdict(set)

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def link(self, first: str, second: str, kind: str) -> None:
        root_a, root_b = self.find(first), self.find(second)
        if root_a != root_b:
            self.parent[root_b] = root_a
            self.kinds[root_a] |= self.kinds.pop(root_b, set())
        self.kinds[root_a].add(kind)

    def groups(self) -> list[tuple[list[str], set[str]]]:
        members: dict[str, list[str]] = defaultdict(list)
        for item in list(self.parent):
            members[self.find(item)].append(item)
        return [(sorted(ids), self.kinds[root]) for root, ids in members.items()]


def _side(rating: float | None) -> str | None:
    if rating is None:
        return None
    return "high" if rating >= HIGH else "low" if rating <= LOW else None


def _suspicious(item: AssessedReview) -> bool:
    return item.has(*F.SUSPICIOUS_TRAITS)


def _day(item: AssessedReview) -> date | None:
    return item.review.published_at.date() if item.review.published_at else None


def _link_phrasing(groups: _Groups, findings: Findings) -> None:
    for pair in findings.pairs:
        if pair.kind in ("near_duplicate", "duplicate_across_entities") and \
                pair.first in findings.assessed and pair.second in findings.assessed:
            groups.link(pair.first, pair.second, "same_phrasing")


def _link_within(groups: _Groups, items: list[AssessedReview], gap_days: int, kind: str) -> None:
    """Link consecutive items (by date) that lie within ``gap_days`` of each other."""
    dated = sorted((i for i in items if _day(i) is not None), key=lambda i: (_day(i), i.review.review_id))
    for before, after in zip(dated, dated[1:]):
        if (_day(after) - _day(before)).days <= gap_days:
            groups.link(before.review.review_id, after.review.review_id, kind)


def _on_lopsided_day(item: AssessedReview, findings: Findings) -> bool:
    """Posted on a high-volume day whose stars are improbably one-sided, with that star."""
    star = findings.lopsided.get(item.review.entity_id, {}).get(_day(item))
    return star is not None and item.review.rating is not None and int(item.review.rating + 0.5) == star


def _link_days(groups: _Groups, findings: Findings) -> None:
    buckets: dict[tuple[str, str], list[AssessedReview]] = defaultdict(list)
    for item in findings.assessed.values():
        side = _side(item.review.rating)
        if side and item.has(F.HIGH_VOLUME_DAY) and (_suspicious(item) or _on_lopsided_day(item, findings)):
            buckets[(item.review.entity_id, side)].append(item)
    for items in buckets.values():
        _link_within(groups, items, SAME_DAYS_GAP, "same_days")


def _link_authors(groups: _Groups, findings: Findings) -> None:
    by_author: dict[str, list[AssessedReview]] = defaultdict(list)
    for item in findings.assessed.values():
        if item.review.author_hash and _suspicious(item) and not item.has(F.CROSS_LISTED):
            by_author[item.review.author_hash].append(item)
    for items in by_author.values():
        if len({i.review.entity_id for i in items}) > 1:
            _link_within(groups, items, SAME_AUTHOR_DAYS, "same_authors")


def _link_solicitation(groups: _Groups, findings: Findings) -> None:
    by_entity: dict[str, list[AssessedReview]] = defaultdict(list)
    for item in findings.assessed.values():
        if item.has(F.INCENTIVIZED, F.SOLICITED):
            by_entity[item.review.entity_id].append(item)
    for items in by_entity.values():
        _link_within(groups, items, SOLICITATION_DAYS, "solicitation")


def find_campaigns(findings: Findings, now: datetime) -> list[Campaign]:
    """Campaigns of linked reviews; member reviews get their ``campaign:<id>`` signal."""
    groups = _Groups()
    for linker in (_link_phrasing, _link_days, _link_authors, _link_solicitation):
        linker(groups, findings)
    campaigns = []
    for member_ids, kinds in groups.groups():
        members = [findings.assessed[i] for i in member_ids]
        if len(members) >= MIN_CAMPAIGN_SIZE and _authors(members) >= MIN_CAMPAIGN_AUTHORS:
            campaigns.append(_campaign(members, sorted(kinds), now, findings))
    return sorted(campaigns, key=lambda c: (c.entity_id, c.first_published or now, c.campaign_id))


def gated_campaigns(findings: Findings, gated: dict[str, list[GatedWindow]], now: datetime,
                    excluded: set[str] = frozenset()) -> list[Campaign]:
    """One campaign per gated window: its entity's rated reviews in the window, ``excluded`` left out."""
    campaigns = []
    for entity_id, windows in gated.items():
        for window in windows:
            members = [i for i in findings.assessed.values() if i.review.entity_id == entity_id
                       and i.review.review_id not in excluded and i.review.rating is not None and _day(i)
                       and window.start <= _day(i) <= window.end]
            if members:
                campaigns.append(_gated_campaign(members, window, now))
    return campaigns


def _authors(members: list[AssessedReview]) -> int:
    """Distinct known authors, each review without an author counting as one more."""
    known = {i.review.author_hash for i in members if i.review.author_hash}
    return len(known) + sum(1 for i in members if not i.review.author_hash)


def _ordered(members: Iterable[AssessedReview]) -> list[AssessedReview]:
    """Oldest first, undated last, ties by id: the first member names the campaign."""
    return sorted(members, key=lambda i: (i.review.published_at.timestamp() if i.review.published_at
                                          else float("inf"), i.review.review_id))


def _campaign(members: list[AssessedReview], kinds: list[str], now: datetime, findings: Findings) -> Campaign:
    members = _ordered(members)
    entity_counts = Counter(i.review.entity_id for i in members)
    home = max(entity_counts, key=lambda e: (entity_counts[e], e))
    dates = [i.review.published_at for i in members if i.review.published_at]
    ratings = [i.review.rating for i in members if i.review.rating is not None]
    evidence = describe_campaign(members, kinds, findings)
    campaign = Campaign(
        campaign_id=make_campaign_id(home, kinds[0], members[0].review.review_id), entity_id=home,
        entity_ids=sorted(entity_counts), kinds=kinds, review_ids=[i.review.review_id for i in members],
        size=len(members), first_published=min(dates, default=None), last_published=max(dates, default=None),
        average_rating=round(mean(ratings), 2) if ratings else None, summary=evidence.pop("summary"),
        evidence=evidence, detected_at=now,
    )
    for item in members:
        item.signals.append(F.Signal(campaign.flag, member_reason(campaign.campaign_id, campaign.size, kinds),
                                     {"campaign_id": campaign.campaign_id, "kinds": kinds}))
    return campaign


def _gated_campaign(members: list[AssessedReview], window: GatedWindow, now: datetime) -> Campaign:
    members = _ordered(members)
    entity_id = members[0].review.entity_id
    summary = describe_gated(window)
    campaign = Campaign(
        campaign_id=make_campaign_id(entity_id, "gated_stream", members[0].review.review_id), entity_id=entity_id,
        entity_ids=[entity_id], kinds=["gated_stream"], review_ids=[i.review.review_id for i in members],
        size=len(members), first_published=members[0].review.published_at,
        last_published=members[-1].review.published_at,
        average_rating=round(mean(i.review.rating for i in members), 2), summary=summary,
        evidence={"window": [window.start.isoformat(), window.end.isoformat()], "rated": window.rated,
                  "low_ratings": window.low, "expected_low_share": window.expected_low_share,
                  "p_value": window.p_value, "baseline": window.baseline,
                  "phrases": shared_phrases([i.review for i in members])},
        detected_at=now,
    )
    for item in members:
        item.signals.append(F.Signal(F.GATED_STREAM, f"posted during a stream with its low ratings missing: {summary}",
                                     {"campaign_id": campaign.campaign_id}))
        item.signals.append(F.Signal(campaign.flag, f"part of campaign {campaign.campaign_id} (gated stream)",
                                     {"campaign_id": campaign.campaign_id}, weight_factor=1.0))
    return campaign

"""Per-review signals over invented streams, and campaigns: planted ones found, ordinary days left alone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.workers.authenticity_support import START, TextMaker, burst, ordinary_stream, review
from workers.authenticity import flags as F
from workers.authenticity.campaigns import find_campaigns
from workers.authenticity.review_signals import find_signals

NOW = datetime(2026, 1, 5, tzinfo=timezone.utc)
BURST_DAY = START + timedelta(days=150)


def campaigns_of(reviews):
    findings = find_signals(reviews, reviews)
    return findings, find_campaigns(findings, NOW)


def test_planted_burst_is_one_campaign_with_its_evidence_and_every_member_flagged():
    planted = burst("cafe", 9, BURST_DAY)
    findings, campaigns = campaigns_of(ordinary_stream("cafe", 60) + planted)
    (campaign,) = campaigns
    assert sorted(campaign.review_ids) == sorted(r.review_id for r in planted)
    assert campaign.kinds == ["same_days", "same_phrasing"]
    assert campaign.evidence["days"] == {BURST_DAY.date().isoformat(): 9}
    assert campaign.evidence["phrases"] and campaign.evidence["distinct_authors"] == 9
    assert "9 reviews of cafe (9×5★)" in campaign.summary
    for member in planted:
        item = findings.assessed[member.review_id]
        assert campaign.flag in item.flags and F.NEAR_DUPLICATE in item.flags and F.HIGH_VOLUME_DAY in item.flags
        assert all(signal.reason for signal in item.signals)


def test_an_ordinary_busy_day_is_flagged_but_is_not_a_campaign():
    maker = TextMaker(5)
    busy = [review("cafe", f"busy-{i}", maker.text(100 + i), 4.0, BURST_DAY + timedelta(hours=i), f"a_busy_{i}")
            for i in range(8)]
    findings, campaigns = campaigns_of(ordinary_stream("cafe", 60, maker=maker) + busy)
    assert campaigns == []
    assert all(F.HIGH_VOLUME_DAY in findings.assessed[r.review_id].flags for r in busy)


def test_same_burst_on_a_competitor_makes_one_campaign_spanning_both():
    maker = TextMaker(2)
    reviews = ordinary_stream("cafe", 40, maker=maker) + ordinary_stream("bar", 40, seed=2, maker=maker)
    reviews += burst("cafe", 4, BURST_DAY, seed=3) + burst("bar", 4, BURST_DAY + timedelta(days=40), seed=4)
    _, campaigns = campaigns_of(reviews)
    (campaign,) = campaigns
    assert campaign.entity_ids == ["bar", "cafe"] and campaign.size == 8


def test_solicited_reviews_over_weeks_are_a_solicitation_campaign():
    texts = ["The owner asked us to leave a five star review on our way out. Nice pasta though.",
             "Le patron nous a demandé de laisser un avis 5 étoiles, ambiance sympa quand même.",
             "They offered a free dessert for a five star review, food was average.",
             "Staff asked me to leave a review and rate them five stars for a raffle ticket."]
    solicited = [review("cafe", f"sol-{i}", text, 5.0, START + timedelta(days=200 + 9 * i), f"a_sol_{i}",
                        language="fr" if "nous" in text else "en") for i, text in enumerate(texts)]
    findings, campaigns = campaigns_of(ordinary_stream("cafe", 50) + solicited)
    (campaign,) = campaigns
    assert campaign.kinds == ["solicitation"] and campaign.size == 4
    assert all(findings.assessed[r.review_id].has(F.INCENTIVIZED, F.SOLICITED) for r in solicited)


def test_one_account_reviewing_several_listings_is_no_campaign():
    copies = [review(f"shoe-{colour}", "copy", "Comfortable shoes, true to size, sturdy sole and nice colour.", 5.0,
                     BURST_DAY, "a_shopper") for colour in ("red", "blue", "green", "black")]
    findings, campaigns = campaigns_of(copies + ordinary_stream("shoe-red", 20))
    assert campaigns == []
    for copy in copies:
        item = findings.assessed[copy.review_id]
        reason = next(s.reason for s in item.signals if s.flag == F.CROSS_LISTED)
        assert "3 other listing(s)" in reason and "not counted against it" in reason


def test_reviewer_traits_need_author_ids():
    reviews = ordinary_stream("cafe", 20, authors=False)
    findings = find_signals(reviews, reviews)
    assert not any(item.has(F.ONE_HIT_WONDER, F.SINGLE_DAY_REVIEWER, F.BRAND_MONOGAMIST)
                   for item in findings.assessed.values())
    reviews = ordinary_stream("cafe", 20)
    reviews += [review("cafe", f"mono-{i}", f"Third visit this week, tried dish number {i} and the soup.", 5.0,
                       START + timedelta(days=3 * i), "a_regular") for i in range(3)]
    findings = find_signals(reviews, reviews)
    regular = [findings.assessed[r.review_id] for r in reviews if r.author_hash == "a_regular"]
    assert all(item.has(F.BRAND_MONOGAMIST) for item in regular)
    assert sum(item.has(F.ONE_HIT_WONDER) for item in findings.assessed.values()) == 20

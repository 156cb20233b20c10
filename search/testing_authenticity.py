"""The store contract for authenticity: reading every review, report cards and campaigns.

Mixed into ``search.testing.StoreContract`` so every backend passes it; the ``store`` and
``corpus`` fixtures come from ``search.testing``. Cards and campaigns are promised to be visible
at once (the CLI prints the card it has just saved); reviews after ``refresh()``. Records are
invented. Reads no settings.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from search.authenticity_records import (
    AdjustedRating, AuthenticityCard, Campaign, CardTest, make_campaign_id, make_card_id,
)
from search.backends.base import QueryError
from search.testing_corpus import CAFE, PIZZERIA, sample_reviews

UTC = timezone.utc
T0 = datetime(2024, 4, 2, 8, 0, tzinfo=UTC)


def sample_card(entity: str = CAFE, source: str | None = None, grade: str = "warn") -> AuthenticityCard:
    return AuthenticityCard(
        card_id=make_card_id(entity, source), entity_id=entity, source=source, computed_at=T0, grade=grade,
        grade_reason="un pic d'avis 5★ le 3 mars", review_count=12, rated_count=11, average=4.4,
        adjusted=AdjustedRating(average=3.9, low=3.4, high=4.4, effective_reviews=8.5, enough_to_judge=False,
                                note="only 8.5 reviews' worth remain"),
        tests=[CardTest(name="Rating Trend", status="warn", summary="2 high volume days",
                        figures={"high_volume_days": 2, "share": 0.25}),
               CardTest(name="Deleted Reviews", status="not_run", summary="no deletion data")],
        campaign_ids=["c_1"], flagged_reviews={"authenticity:high_volume_day": 3},
    )


def sample_campaign(entity: str = CAFE, others: tuple[str, ...] = (), days: int = 0, first: str = "r_1") -> Campaign:
    return Campaign(
        campaign_id=make_campaign_id(entity, "same_phrasing", first), entity_id=entity,
        entity_ids=sorted({entity, *others}), kinds=["same_phrasing", "same_days"], review_ids=[first, "r_2", "r_3"],
        size=3, first_published=T0 + timedelta(days=days), last_published=T0 + timedelta(days=days, hours=5),
        average_rating=5.0, summary="3 avis quasi identiques « meilleur café du quartier »",
        evidence={"phrases": ["meilleur café du quartier"], "days": {"2024-04-02": 3}}, detected_at=T0,
    )


class IterReviewsContract:
    def test_every_review_in_small_batches(self, corpus):
        expected = {r.review_id for r in sample_reviews().values()}
        assert {r.review_id for r in corpus.iter_reviews(batch_size=2)} == expected

    def test_only_the_given_entities_and_full_records(self, corpus):
        def fields(review):  # collected_at defaults to "now", so two sample sets differ there only
            return review.model_dump(exclude={"collected_at"})

        found = {r.review_id: fields(r) for r in corpus.iter_reviews([PIZZERIA], batch_size=1)}
        expected = {r.review_id: fields(r) for r in sample_reviews().values() if r.entity_id == PIZZERIA}
        assert found == expected
        assert list(corpus.iter_reviews([])) == []
        assert list(corpus.iter_reviews(["nobody"])) == []

    def test_bad_batch_size_says_what_to_use(self, store):
        with pytest.raises(QueryError, match="batch_size"):
            list(store.iter_reviews(batch_size=0))


class AuthenticityCardsContract:
    def test_cards_round_trip_overall_card_first(self, store):
        assert store.get_authenticity_cards(CAFE) == []
        cards = [sample_card(source="port-site"), sample_card(), sample_card(source="port-maps", grade="pass")]
        store.replace_authenticity([CAFE], cards, [])
        found = store.get_authenticity_cards(CAFE)
        assert [c.card_id for c in found] == [CAFE, f"{CAFE}/port-maps", f"{CAFE}/port-site"]
        assert found[0] == cards[1]

    def test_replacing_drops_stale_cards_of_those_entities_only(self, store):
        store.replace_authenticity([CAFE, PIZZERIA], [sample_card(), sample_card(source="port-site"),
                                                      sample_card(PIZZERIA)], [])
        store.replace_authenticity([CAFE], [sample_card(grade="fail")], [])
        assert [(c.card_id, c.grade) for c in store.get_authenticity_cards(CAFE)] == [(CAFE, "fail")]
        assert [c.card_id for c in store.get_authenticity_cards(PIZZERIA)] == [PIZZERIA]

    def test_records_outside_the_replaced_entities_are_refused(self, store):
        with pytest.raises(QueryError, match="add it to entity_ids"):
            store.replace_authenticity([CAFE], [sample_card(PIZZERIA)], [])
        assert store.get_authenticity_cards(PIZZERIA) == []


class CampaignsContract:
    def test_campaigns_round_trip_latest_first(self, store):
        older, newer = sample_campaign(days=0, first="r_a"), sample_campaign(days=3, first="r_b")
        store.replace_authenticity([CAFE], [], [older, newer])
        assert store.list_campaigns([CAFE]) == [newer, older]
        assert store.list_campaigns() == [newer, older]
        assert store.list_campaigns([CAFE], limit=1) == [newer]

    def test_a_campaign_is_listed_for_every_entity_it_touches(self, store):
        spanning = sample_campaign(CAFE, others=(PIZZERIA,))
        store.replace_authenticity([CAFE], [], [spanning])
        assert store.list_campaigns([PIZZERIA]) == [spanning]
        store.replace_authenticity([PIZZERIA], [], [])  # owned by CAFE: replacing PIZZERIA keeps it
        assert store.list_campaigns([PIZZERIA]) == [spanning]
        store.replace_authenticity([CAFE], [], [])
        assert store.list_campaigns([PIZZERIA]) == []
        assert store.list_campaigns() == []

    def test_filters_are_checked(self, store):
        with pytest.raises(QueryError, match="not a single string"):
            store.list_campaigns(CAFE)
        with pytest.raises(QueryError, match="limit"):
            store.list_campaigns(limit=-1)


class AuthenticityStoreContract(IterReviewsContract, AuthenticityCardsContract, CampaignsContract):
    """Every authenticity contract at once."""

"""The whole assessment against real stores (SQLite and Elasticsearch): flags, reasons, weights, cards, campaigns."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from config.settings import Settings
from search.backends.base import SearchQuery
from search.backends.elasticsearch import ElasticsearchReviewStore
from search.backends.sqlite import SQLiteReviewStore
from search.crawl_records import CrawlState, ReviewEvent, ReviewVersion, make_review_event_id
from search.figures import FiguresRequest
from tests.workers.authenticity_support import START, TextMaker, burst, ordinary_stream
from workers.authenticity import flags as F
from workers.authenticity.assess import assess_entities, assess_entity

NOW = datetime(2026, 1, 5, tzinfo=timezone.utc)
BURST_DAY = START + timedelta(days=150)


@pytest.fixture(params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.integration)])
def store(request, tmp_path):
    if request.param == "sqlite":
        store = SQLiteReviewStore(tmp_path / "store.sqlite")
    else:  # no ensure_ready: each index is made on first use, so a test creates only the ones it needs
        store = ElasticsearchReviewStore(request.getfixturevalue("es_url"),
                                         index_prefix=request.getfixturevalue("es_index_prefix"))
    yield store
    store.close()


def fill(store, *groups):
    store.upsert_reviews([review for group in groups for review in group])
    store.refresh()


def test_assessment_writes_flags_reasons_weights_cards_and_campaigns(store):
    maker = TextMaker()
    planted = burst("cafe", 9, BURST_DAY)
    fill(store, ordinary_stream("cafe", 60, maker=maker), planted, ordinary_stream("bar", 40, seed=2, maker=maker))
    assessment = assess_entities(Settings(), store, now=NOW)
    (campaign,) = assessment.campaigns
    members = store.search(SearchQuery(flags=[campaign.flag], limit=50))
    assert sorted(hit.document.review_id for hit in members.hits) == sorted(r.review_id for r in planted)
    for hit in members.hits:
        stored = store.get_review(hit.document.review_id)
        assert stored.authenticity_weight == 0.0
        assert set(stored.authenticity_reasons) == {f for f in stored.flags if F.is_authenticity_flag(f)}
    card = store.get_authenticity_cards("cafe")[0]
    assert card.source is None and card.grade in ("warn", "fail") and card.campaign_ids == [campaign.campaign_id]
    assert card.adjusted.average < card.average and card.adjusted.enough_to_judge
    assert card.test("Campaigns").status != "pass" and card.test("Phrase Repetition").status == "fail"
    assert store.list_campaigns(["cafe"]) == [campaign]
    assert store.get_authenticity_cards("bar")[0].grade == "pass"


def test_comparison_sees_the_adjusted_average(store):
    fill(store, ordinary_stream("cafe", 40), burst("cafe", 10, BURST_DAY))
    assess_entity(Settings(), store, "cafe", now=NOW)
    figures = store.entity_figures(FiguresRequest(["cafe"], since=START, until=NOW))["cafe"]
    assert figures.all_time.adjusted_average < figures.all_time.average


def test_rerun_changes_nothing_and_other_stages_flags_are_kept(store):
    reviews = ordinary_stream("cafe", 30) + burst("cafe", 6, BURST_DAY)
    reviews[0] = reviews[0].model_copy(update={"flags": ["integrity:hidden_fees"]})
    fill(store, reviews)
    first = assess_entity(Settings(), store, "cafe", now=NOW)
    again = assess_entity(Settings(), store, "cafe", now=NOW)
    assert first.reviews_updated == 36 and again.reviews_updated == 0
    assert "integrity:hidden_fees" in store.get_review(reviews[0].review_id).flags
    assert [c.campaign_id for c in again.campaigns] == [c.campaign_id for c in first.campaigns]


def test_three_reviews_or_fewer_get_not_enough_data_never_a_grade(store):
    fill(store, ordinary_stream("cafe", 3))
    for entity in ("cafe", "empty"):
        card = assess_entity(Settings(), store, entity, now=NOW).card(entity)
        assert card.grade == "not_enough_data" and card.tests == []
        assert card.adjusted.average is None and "not enough data" in card.grade_reason


def test_missing_authors_and_dates_disable_their_tests_and_say_why(store):
    fill(store, ordinary_stream("cafe", 30, authors=False, dated=False))
    card = assess_entity(Settings(), store, "cafe", now=NOW).card("cafe")
    assert card.grade in ("pass", "warn", "fail")
    by_name = {test.name: test for test in card.tests}
    assert by_name["Rating Trend"].status == "not_run" and "publication date" in by_name["Rating Trend"].summary
    for name in ("Reviewer Participation", "Suspicious Reviewers", "Brand Repeats"):
        assert by_name[name].status == "not_run" and "no author names" in by_name[name].summary
    assert "no deletion data" in by_name["Deleted Reviews"].summary
    assert by_name["Word Count Comparison"].status == "not_run"


def test_few_remaining_reviews_make_the_adjusted_rating_a_warning(store):
    fill(store, ordinary_stream("cafe", 6))
    card = assess_entity(Settings(), store, "cafe", now=NOW).card("cafe")
    assert card.adjusted.average is not None and not card.adjusted.enough_to_judge
    assert "too few to judge" in card.adjusted.note


def test_deleted_reviews_come_from_crawl_events_once_a_listing_is_complete(store):
    reviews = ordinary_stream("cafe", 30, source="cafe-site")
    fill(store, reviews)
    card = assess_entity(Settings(), store, "cafe", now=NOW).card("cafe")
    assert card.test("Deleted Reviews").status == "not_run"
    assert "whole listing" in card.test("Deleted Reviews").summary
    store.save_crawl_state(CrawlState(source="cafe-site", entity_id="cafe", last_complete_listing_at=NOW))
    events = [ReviewEvent(event_id=make_review_event_id(f"gone-{i}", "deleted", NOW), kind="deleted",
                          review_id=f"gone-{i}", source="cafe-site", platform="schema_org", entity_id="cafe",
                          occurred_at=NOW - timedelta(days=i), previous=ReviewVersion(rating=1.0, text="Froid."))
              for i in range(4)]
    store.add_review_events(events)
    test = assess_entity(Settings(), store, "cafe", now=NOW).card("cafe").test("Deleted Reviews")
    assert test.status in ("warn", "fail") and test.figures["deleted"] == 4
    assert "averaged 1.00★" in test.summary
    source_card = store.get_authenticity_cards("cafe")[1]
    assert source_card.source == "cafe-site" and source_card.test("Deleted Reviews").figures["deleted"] == 4

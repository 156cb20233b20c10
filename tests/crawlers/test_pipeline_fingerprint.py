from datetime import datetime, timedelta, timezone

import pytest
from scrapy.utils.test import get_crawler

from crawlers.items import NormalizedRatingSummary, NormalizedReview
from crawlers.pipelines.fingerprint import FingerprintPipeline
from search.documents import RatingSnapshot, Review, make_review_id, make_snapshot_id

DAY = datetime(2024, 3, 2, tzinfo=timezone.utc)


@pytest.fixture
def pipeline():
    return FingerprintPipeline.from_crawler(get_crawler())


def _review(**fields) -> NormalizedReview:
    values = dict(source_id="shop", entity_id="cafe", platform="schema_org", url="http://shop.test/p1",
                  external_id=None, author_hash="a_1", rating=4.5, rating_original=9.0, rating_best=10.0,
                  rating_worst=None, title=None, text="Très bon café", language="fr", published_at=DAY)
    values.update(fields)
    return NormalizedReview(**values)


def test_a_review_with_a_platform_id_is_identified_by_it(pipeline):
    review = pipeline.process_item(_review(external_id="r-101"))
    assert isinstance(review, Review)
    assert review.review_id == make_review_id("shop", "r-101")
    assert (review.rating, review.rating_original, review.rating_best) == (4.5, 9.0, 10.0)


def test_without_a_platform_id_the_content_fingerprint_is_used(pipeline):
    review = pipeline.process_item(_review())
    assert review.review_id == make_review_id("shop", None, text="Très bon café", author_hash="a_1", published_at=DAY)
    assert pipeline.process_item(_review(text="Tres  BON café")).review_id == review.review_id


def test_a_relative_date_is_left_out_of_the_fingerprint(pipeline):
    first = pipeline.process_item(_review(published_at=DAY, published_at_is_relative=True))
    next_day = pipeline.process_item(_review(published_at=DAY + timedelta(days=1), published_at_is_relative=True))
    assert first.review_id == next_day.review_id
    assert first.published_at == DAY  # the date itself is still stored


def test_the_same_review_from_two_sources_gets_two_ids(pipeline):
    assert pipeline.process_item(_review(external_id="r-1")).review_id != pipeline.process_item(
        _review(external_id="r-1", source_id="other")).review_id


def test_a_summary_becomes_a_snapshot(pipeline):
    summary = NormalizedRatingSummary(source_id="shop", entity_id="cafe", platform="schema_org", url=None,
                                      average=4.2, average_original=4.2, rating_best=5.0, rating_count=31,
                                      review_count=27, observed_at=DAY)
    snapshot = pipeline.process_item(summary)
    assert isinstance(snapshot, RatingSnapshot)
    assert snapshot.snapshot_id == make_snapshot_id("shop", "cafe", DAY)
    assert (snapshot.average, snapshot.rating_count, snapshot.review_count) == (4.2, 31, 27)

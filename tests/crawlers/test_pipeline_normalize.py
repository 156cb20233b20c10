from datetime import datetime, timezone

import pytest
from crawler_support import TEST_SALT, make_settings
from scrapy.utils.test import get_crawler

from crawlers.items import NormalizedRatingSummary, NormalizedReview, RawRatingSummary, RawReview
from crawlers.pipelines.normalize import NormalizeReviewPipeline, language_code
from search.documents import hash_author


@pytest.fixture
def pipeline():
    return NormalizeReviewPipeline.from_crawler(get_crawler(settings_dict={"STARWATCH_SETTINGS": make_settings()}))


def _review(**fields) -> RawReview:
    values = dict(source_id="shop", entity_id="cafe", platform="schema_org", url="http://shop.test/p1",
                  author_name="Jean-Baptiste Lemoine", rating_value="9/10", text=" Très <b>bon</b>&nbsp;café ",
                  date="17 octobre 2023", language_hint="fr-FR")
    values.update(fields)
    return RawReview(**values)


def test_a_review_gets_a_five_star_rating_with_the_original_kept(pipeline):
    review = pipeline.process_item(_review())
    assert isinstance(review, NormalizedReview)
    assert (review.rating, review.rating_original, review.rating_best) == (4.5, 9.0, 10.0)


def test_text_is_plain_and_the_date_parsed(pipeline):
    review = pipeline.process_item(_review())
    assert review.text == "Très bon café"
    assert review.published_at == datetime(2023, 10, 17, tzinfo=timezone.utc)
    assert review.published_at_is_relative is False
    assert review.language == "fr"


def test_the_author_name_is_replaced_by_its_salted_hash(pipeline):
    review = pipeline.process_item(_review())
    assert review.author_hash == hash_author("Jean-Baptiste Lemoine", TEST_SALT)
    assert "Lemoine" not in repr(review)
    assert not hasattr(review, "author_name")


def test_relative_dates_are_flagged(pipeline):
    assert pipeline.process_item(_review(date="il y a 3 jours")).published_at_is_relative is True


def test_a_review_without_rating_or_date_keeps_none(pipeline):
    review = pipeline.process_item(_review(rating_value="  ", date=None, author_name=None, language_hint="??"))
    assert (review.rating, review.rating_original, review.published_at, review.author_hash, review.language) == (
        None, None, None, None, None)


def test_a_summary_is_rescaled_and_its_counts_parsed(pipeline):
    observed = datetime(2024, 5, 1, tzinfo=timezone.utc)
    summary = pipeline.process_item(RawRatingSummary(
        source_id="shop", entity_id="cafe", platform="schema_org", rating_value="8,4", rating_best="10",
        rating_count="1 204", review_count="n/a", observed_at=observed))
    assert isinstance(summary, NormalizedRatingSummary)
    assert (summary.average, summary.average_original, summary.rating_best) == (4.2, 8.4, 10.0)
    assert (summary.rating_count, summary.review_count, summary.observed_at) == (1204, None, observed)


@pytest.mark.parametrize(("hint", "code"), [
    ("fr-FR", "fr"), ("EN", "en"), ("en_GB", "en"), ("", None), (None, None), ("français", None),
])
def test_language_hints_become_codes(hint, code):
    assert language_code(hint) == code

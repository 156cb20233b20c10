import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawlers.items import RawRatingSummary, RawReview
from crawlers.pipelines.validate import ValidateReviewPipeline


@pytest.fixture
def pipeline():
    return ValidateReviewPipeline.from_crawler(get_crawler())


def _review(**fields) -> RawReview:
    values = dict(source_id="shop", entity_id="cafe", platform="schema_org", url="http://shop.test/p1",
                  author_name="Ann", rating_value="4", text="Bon café", date="2024-03-02")
    values.update(fields)
    return RawReview(**values)


def test_a_complete_review_passes_unchanged_without_stats(pipeline):
    item = _review()
    assert pipeline.process_item(item) is item
    assert not any(key.startswith("starwatch/") for key in pipeline.stats.get_stats())


@pytest.mark.parametrize(("rating", "reason"), [("11/10", "rating_above_best"), ("-1", "rating_negative"),
                                                ("abc", "rating_not_a_number")])
def test_impossible_ratings_are_dropped_and_counted_by_reason(pipeline, rating, reason):
    with pytest.raises(DropItem, match=reason):
        pipeline.process_item(_review(rating_value=rating))
    assert pipeline.stats.get_value(f"starwatch/dropped/{reason}") == 1
    assert pipeline.stats.get_value("starwatch/field/rating/invalid") == 1


def test_the_pipeline_keeps_counting_after_a_drop(pipeline):
    for rating in ("abc", "abc", "5"):
        try:
            pipeline.process_item(_review(rating_value=rating))
        except DropItem:
            pass
    assert pipeline.stats.get_value("starwatch/dropped/rating_not_a_number") == 2


def test_a_missing_entity_is_dropped(pipeline):
    with pytest.raises(DropItem, match="missing_entity_id"):
        pipeline.process_item(_review(entity_id=" "))
    assert pipeline.stats.get_value("starwatch/field/entity_id/missing") == 1


def test_a_review_with_nothing_in_it_is_dropped(pipeline):
    with pytest.raises(DropItem, match="empty_review"):
        pipeline.process_item(_review(rating_value=None, text="", title=None))
    assert pipeline.stats.get_value("starwatch/dropped/empty_review") == 1


def test_missing_or_bad_optional_fields_are_counted_and_kept(pipeline):
    item = _review(rating_value=None, author_name=None, date="quelque part en mai")
    assert pipeline.process_item(item) is item
    stats = pipeline.stats.get_stats()
    assert stats["starwatch/field/rating/missing"] == 1
    assert stats["starwatch/field/author/missing"] == 1
    assert stats["starwatch/field/published_at/invalid"] == 1


def test_a_summary_with_a_bad_count_is_kept_and_counted(pipeline):
    item = RawRatingSummary(source_id="shop", entity_id="cafe", platform="schema_org", rating_value="4,2",
                            rating_count="beaucoup", review_count="27")
    assert pipeline.process_item(item) is item
    assert pipeline.stats.get_value("starwatch/field/rating_count/invalid") == 1


@pytest.mark.parametrize(("rating", "reason"), [(None, "summary_rating_missing"), ("7", "summary_rating_above_best")])
def test_a_summary_without_a_usable_rating_is_dropped(pipeline, rating, reason):
    item = RawRatingSummary(source_id="shop", entity_id="cafe", platform="schema_org", rating_value=rating)
    with pytest.raises(DropItem, match=reason):
        pipeline.process_item(item)
    assert pipeline.stats.get_value(f"starwatch/dropped/{reason}") == 1


def test_other_items_pass_through(pipeline):
    item = {"something": "else"}
    assert pipeline.process_item(item) is item


def test_the_drop_message_never_shows_the_reviewer_name(pipeline):
    item = _review(rating_value="abc", author_name="Jean-Baptiste Lemoine")
    with pytest.raises(DropItem) as caught:
        pipeline.process_item(item)
    assert "Lemoine" not in str(caught.value) and "Lemoine" not in repr(item)

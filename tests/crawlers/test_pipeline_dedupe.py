from datetime import datetime, timezone

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawlers.pipelines.dedupe import DropDuplicatesPipeline
from search.documents import RatingSnapshot, Review


@pytest.fixture
def pipeline():
    return DropDuplicatesPipeline.from_crawler(get_crawler())


def _review(review_id: str) -> Review:
    return Review(review_id=review_id, source="shop", platform="schema_org", entity_id="cafe", text="ok")


def test_the_second_copy_of_an_id_is_dropped_and_counted(pipeline):
    assert pipeline.process_item(_review("r_1")).review_id == "r_1"
    with pytest.raises(DropItem, match="duplicate"):
        pipeline.process_item(_review("r_1"))
    assert pipeline.stats.get_value("starwatch/dropped/duplicate") == 1


def test_different_ids_and_snapshots_all_pass(pipeline):
    when = datetime(2024, 1, 1, tzinfo=timezone.utc)
    snapshot = RatingSnapshot(snapshot_id="s_1", source="shop", platform="schema_org", entity_id="cafe",
                              average=4.0, observed_at=when)
    for item in (_review("r_1"), _review("r_2"), snapshot, {"not": "a record"}):
        assert pipeline.process_item(item) is item
    assert pipeline.stats.get_value("starwatch/dropped/duplicate") is None


def test_a_new_crawl_starts_with_no_memory():
    first, second = (DropDuplicatesPipeline.from_crawler(get_crawler()) for _ in range(2))
    first.process_item(_review("r_1"))
    assert second.process_item(_review("r_1")).review_id == "r_1"

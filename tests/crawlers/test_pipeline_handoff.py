from datetime import datetime, timezone

import pytest
from crawler_support import make_settings
from scrapy.utils.test import get_crawler

from crawlers.errors import CrawlConfigError
from crawlers.pipelines.handoff import HandoffPipeline, SharedSink, default_sink
from search.documents import RatingSnapshot, Review


class RecordingSink:
    def __init__(self, fail: bool = False):
        self.batches: list[dict] = []
        self.fail = fail

    def __call__(self, batch: dict) -> None:
        if self.fail:
            raise ConnectionError("broker unreachable")
        self.batches.append(batch)


def _pipeline(sink, batch_size: int = 3) -> HandoffPipeline:
    settings = make_settings(tasks={"batch_size": batch_size})
    crawler = get_crawler(settings_dict={"STARWATCH_SETTINGS": settings, "STARWATCH_SINK": SharedSink(sink)})
    return HandoffPipeline.from_crawler(crawler)


def _review(number: int) -> Review:
    return Review(review_id=f"r_{number}", source="shop", platform="schema_org", entity_id="cafe", text="ok",
                  rating=4.0, published_at=datetime(2024, 3, 2, tzinfo=timezone.utc))


def _snapshot() -> RatingSnapshot:
    return RatingSnapshot(snapshot_id="s_1", source="shop", platform="schema_org", entity_id="cafe", average=4.2,
                          observed_at=datetime(2024, 3, 2, tzinfo=timezone.utc))


def test_records_are_sent_in_batches_of_the_configured_size_and_the_rest_at_close():
    sink = RecordingSink()
    pipeline = _pipeline(sink, batch_size=3)
    for item in (_snapshot(), _review(1), _review(2), _review(3)):
        assert pipeline.process_item(item) is item
    assert [len(batch["reviews"]) + len(batch["snapshots"]) for batch in sink.batches] == [3]
    pipeline.close_spider()
    assert [batch["reviews"][0]["review_id"] for batch in sink.batches] == ["r_1", "r_3"]
    stats = pipeline.stats.get_stats()
    assert (stats["starwatch/handed_off/reviews"], stats["starwatch/handed_off/snapshots"]) == (3, 1)
    assert stats["starwatch/handed_off/batches"] == 2


def test_a_batch_holds_json_ready_records_under_three_kinds():
    sink = RecordingSink()
    pipeline = _pipeline(sink, batch_size=1)
    pipeline.process_item(_review(1))
    assert set(sink.batches[0]) == {"reviews", "mentions", "snapshots"}
    assert sink.batches[0]["reviews"][0]["published_at"] == "2024-03-02T00:00:00Z"


def test_a_failing_sink_is_reported_and_nothing_is_silently_dropped():
    pipeline = _pipeline(RecordingSink(fail=True), batch_size=2)
    for number in (1, 2, 3):
        pipeline.process_item(_review(number))
    pipeline.close_spider()
    stats = pipeline.stats.get_stats()
    assert stats["starwatch/handoff/error"] == "ConnectionError: broker unreachable"
    assert stats["starwatch/handoff/failed_batches"] == 1  # no retry storm after the first failure
    assert stats["starwatch/handoff/not_delivered/reviews"] == 3
    assert "starwatch/handed_off/reviews" not in stats


def test_an_empty_crawl_sends_nothing():
    sink = RecordingSink()
    _pipeline(sink).close_spider()
    assert sink.batches == []


def test_a_shared_sink_survives_scrapy_settings_copies():
    sink = RecordingSink()
    pipeline = _pipeline(sink, batch_size=1)
    pipeline.process_item(_review(1))
    assert len(sink.batches) == 1  # the test's own object received it, not a deep copy


def test_a_sink_function_can_be_named_by_dotted_path():
    crawler = get_crawler(settings_dict={"STARWATCH_SETTINGS": make_settings(), "STARWATCH_SINK": "builtins.print"})
    assert HandoffPipeline.from_crawler(crawler).sink is print


def test_without_workers_installed_the_default_sink_explains_the_fix(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "workers.dispatch", None)  # makes the import fail
    with pytest.raises(CrawlConfigError, match="give the crawl a sink"):
        default_sink(make_settings())

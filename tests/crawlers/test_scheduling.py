"""Scheduling: one beat entry per source, what is due, and a crawl run in a child process."""

from datetime import datetime, timedelta, timezone

from crawler_support import make_settings

from crawlers.scheduling import (
    CRAWL_TASK, DueCrawl, crawl_beat_schedule, crawl_source_now, due_sources, needs_backfill,
)
from search.backends.sqlite import SQLiteReviewStore
from search.crawl_records import CrawlState

NOW = datetime(2024, 6, 21, 12, 0, tzinfo=timezone.utc)


def _settings(tmp_path, url="http://127.0.0.1:8/reviews/page-1.html", **store):
    return make_settings(
        [{"id": "often", "url": url, "interval_minutes": 30},
         {"id": "daily", "url": url, "interval_minutes": 1440, "backfill_interval_minutes": None}],
        store={"backend": "sqlite", "sqlite_path": str(tmp_path / "store.sqlite"), **store},
    )


def test_beat_runs_each_source_at_its_interval_on_the_crawl_queue(tmp_path):
    schedule = crawl_beat_schedule(_settings(tmp_path))
    assert set(schedule) == {"crawl-often", "crawl-daily"}
    entry = schedule["crawl-often"]
    assert (entry["task"], entry["schedule"], entry["args"]) == (CRAWL_TASK, timedelta(minutes=30), ("often",))
    assert entry["options"] == {"queue": "crawl", "expires": 1800}


def test_due_sources_and_backfill_follow_the_crawl_state(tmp_path):
    settings = _settings(tmp_path)
    store = SQLiteReviewStore(tmp_path / "store.sqlite")
    assert due_sources(settings, store, NOW) == [DueCrawl("often", True), DueCrawl("daily", False)]
    store.save_crawl_state(CrawlState(source="often", entity_id="entity-often", last_crawl_at=NOW - timedelta(minutes=10),
                                      last_complete_listing_at=NOW - timedelta(days=1)))
    store.save_crawl_state(CrawlState(source="daily", entity_id="entity-daily", last_crawl_at=NOW - timedelta(days=2)))
    assert due_sources(settings, store, NOW) == [DueCrawl("daily", False)]
    often = settings.entities[0].sources[0]
    assert not needs_backfill(often, store.get_crawl_state("often"), NOW)
    assert needs_backfill(often, store.get_crawl_state("often"), NOW + timedelta(days=7))
    store.close()


def test_a_worker_runs_the_crawl_in_a_child_process_with_the_same_settings(schema_org_shop, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # where the child's config file is written
    settings = _settings(tmp_path, url=schema_org_shop.url("/reviews/page-1.html"))
    store = SQLiteReviewStore(tmp_path / "store.sqlite")
    report = crawl_source_now(settings, store, "often")  # first crawl: no complete listing yet, so a backfill
    (source,) = report["sources"]
    assert (source["source_id"], source["reviews_collected"], source["complete_listing"]) == ("often", 9, False)
    assert store.count("review", "entity-often") == 9  # in-process workers of the child stored them
    (event,) = store.list_crawl_events(source_ids=["often"])
    assert event.backfill and event.status == "degraded"  # the shop fixture has invalid entries on purpose
    assert store.get_review(next(iter(store.get_crawl_state("often").known_reviews))).author_hash.startswith("a_")
    assert not list(tmp_path.glob("starwatch-crawl-*.yaml"))  # the child's config file is gone
    store.close()


def test_secrets_reach_the_child_through_its_environment_only(tmp_path):
    from crawlers.scheduling import _settings_for_child

    data, env = _settings_for_child(_settings(tmp_path))
    assert "author_salt" not in data["privacy"] and "password" not in data["smtp"]
    assert env == {"STARWATCH_PRIVACY__AUTHOR_SALT": "crawler-tests-salt"}

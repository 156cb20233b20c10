"""The Celery configuration built from settings: pure dicts, no broker needed."""

from datetime import timedelta

import pytest

from config.settings import load_settings
from workers.celery_app import (
    ALERTS_QUEUE,
    EMAIL_QUEUE,
    EVALUATE_ALERTS_TASK,
    INGEST_QUEUE,
    INGEST_TASK,
    app,
    celery_config,
    publish_retry_policy,
    queue_for,
)


@pytest.fixture
def config():
    settings = load_settings(overrides={
        "tasks": {"broker_url": "redis://broker.internal:6379/3", "visibility_timeout_seconds": 120},
        "alerts": {"evaluate_every_minutes": 15},
    })
    return celery_config(settings)


def test_delivery_guarantees(config):
    assert config["broker_url"] == "redis://broker.internal:6379/3"
    assert config["task_acks_late"] is True
    assert config["task_reject_on_worker_lost"] is True
    assert config["worker_prefetch_multiplier"] == 1
    assert config["result_backend"] is None and config["task_ignore_result"] is True
    assert config["task_serializer"] == "json" and config["accept_content"] == ["json"]


def test_a_killed_workers_task_comes_back_after_the_visibility_timeout(config):
    options = config["broker_transport_options"]
    assert options["visibility_timeout"] == 120
    assert options["unacked_restore_interval"] <= 10
    assert options["unacked_restore_throttle"] == 1


def test_named_queues_and_routes(config):
    assert [queue.name for queue in config["task_queues"]] == [INGEST_QUEUE, ALERTS_QUEUE, EMAIL_QUEUE, "analysis", "crawl"]
    from crawlers.scheduling import CRAWL_QUEUE, CRAWL_TASK

    assert queue_for(CRAWL_TASK) == CRAWL_QUEUE
    assert queue_for("starwatch.assess_authenticity") == "analysis"
    assert config["task_routes"][INGEST_TASK] == {"queue": INGEST_QUEUE}
    assert config["task_routes"][EVALUATE_ALERTS_TASK] == {"queue": ALERTS_QUEUE}
    assert config["task_routes"]["starwatch.send_*"] == {"queue": EMAIL_QUEUE}
    assert queue_for("starwatch.send_alert_email") == EMAIL_QUEUE
    assert queue_for(INGEST_TASK) == INGEST_QUEUE
    assert queue_for("starwatch.unknown") is None


def test_alerts_are_evaluated_on_the_configured_period(config):
    entry = config["beat_schedule"]["evaluate-alerts"]
    assert entry["task"] == EVALUATE_ALERTS_TASK
    assert entry["schedule"] == timedelta(minutes=15)
    assert entry["options"] == {"queue": ALERTS_QUEUE, "expires": 900}


def test_authenticity_is_assessed_every_hour(config):
    entry = config["beat_schedule"]["assess-authenticity"]
    assert entry["task"] == "starwatch.assess_authenticity"
    assert entry["schedule"] == timedelta(hours=1)


def test_every_task_the_workers_define_has_a_route():
    import workers.tasks  # noqa: F401 - registers the tasks (the decorator checks routes at import)
    from workers.celery_app import app

    names = [name for name in app.tasks if name.startswith("starwatch.")]
    assert {"starwatch.ingest_batch", "starwatch.evaluate_alerts", "starwatch.send_alert_emails",
            "starwatch.assess_authenticity", "starwatch.crawl_source"} <= set(names)
    assert all(queue_for(name) for name in names)


def test_the_visibility_timeout_defaults_to_minutes_not_an_hour():
    assert load_settings().tasks.visibility_timeout_seconds == 300


@pytest.mark.parametrize("seconds", [0.5, 1, 10, 90, 600])
def test_publish_retries_cover_the_configured_time(seconds):
    policy = publish_retry_policy(seconds)
    intervals, interval = [], policy["interval_start"]
    for _ in range(policy["max_retries"]):
        intervals.append(interval)
        interval = min(interval + policy["interval_step"], policy["interval_max"])
    assert sum(intervals) >= seconds
    assert sum(intervals) - seconds <= policy["interval_max"]


def test_no_publish_retry_when_the_budget_is_zero():
    assert publish_retry_policy(0)["max_retries"] == 0


def test_tasks_have_explicit_names_routes_and_late_acks():
    import workers.tasks  # noqa: F401 - registers the tasks

    ingest = app.tasks[INGEST_TASK]
    assert EVALUATE_ALERTS_TASK in app.tasks
    assert ingest.acks_late and ingest.reject_on_worker_lost and ingest.ignore_result
    assert ConnectionError in ingest.autoretry_for and Exception not in ingest.autoretry_for


def test_a_task_declared_for_another_queue_than_its_route_is_refused():
    from workers.tasks import starwatch_task

    with pytest.raises(ValueError, match="add or fix its route there"):
        starwatch_task(name=INGEST_TASK, queue=EMAIL_QUEUE)
    with pytest.raises(ValueError, match="'starwatch.unrouted'"):
        starwatch_task(name="starwatch.unrouted", queue=INGEST_QUEUE)


def test_each_source_is_crawled_on_its_own_beat_entry():
    from workers.celery_app import celery_config

    settings = load_settings(overrides={"entities": [{"id": "a", "name": "A", "sources": [
        {"id": "a-site", "type": "schema_org", "url": "https://a.example.org/", "interval_minutes": 90}]}]})
    entry = celery_config(settings)["beat_schedule"]["crawl-a-site"]
    assert entry["task"] == "starwatch.crawl_source" and entry["args"] == ("a-site",)
    assert entry["schedule"] == timedelta(minutes=90) and entry["options"]["queue"] == "crawl"

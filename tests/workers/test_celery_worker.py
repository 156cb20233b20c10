"""Real Celery worker processes consuming real Redis: delivery, redelivery after a crash.

Workers run as subprocesses (``python -m celery -A ... worker -P solo``) configured only
through ``STARWATCH_*`` variables, exactly as in production, against the test Redis on the
workers tests' own database, and write to a per-test SQLite file.
"""

import os
import signal

import pytest
import redis
from worker_support import (
    broker_url_for_tests,
    celery_settings,
    sample_batch,
    start_worker,
    stop_worker,
    wait_until,
    worker_environment,
)

from search.factory import get_store
from workers import runtime
from workers.celery_app import ALERTS_QUEUE, EVALUATE_ALERTS_TASK, app
from workers.dispatch import submit_batch

pytestmark = pytest.mark.integration


@pytest.fixture
def broker_url(redis_url):
    url = broker_url_for_tests(redis_url)
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def sqlite_path(tmp_path):
    yield tmp_path / "store.sqlite"
    runtime.reset()


def reader(settings):
    store = get_store(settings)
    store.ensure_ready()
    return store


def worker_log(tmp_path, name):
    path = tmp_path / name
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_a_worker_consumes_submitted_batches_into_the_store(tmp_path, broker_url, sqlite_path):
    settings = celery_settings(broker_url, sqlite_path)
    worker = start_worker("workers.celery_app", worker_environment(broker_url, sqlite_path), tmp_path, "worker.log")
    try:
        submit_batch(settings, sample_batch(prefix=0))
        submit_batch(settings, sample_batch(prefix=100))
        store = reader(settings)
        wait_until(lambda: store.count("review") == 10 and store.count("mention") == 1, 60,
                   "10 reviews and 1 mention in the store; worker log:\n" + worker_log(tmp_path, "worker.log"))
        french = store.get_review(sample_batch()["reviews"][1]["review_id"])
        assert (french.language, french.sentiment_label) == ("fr", "negative")

        with app.connection_for_write(broker_url) as connection:
            app.send_task(EVALUATE_ALERTS_TASK, queue=ALERTS_QUEUE, connection=connection)
        wait_until(lambda: "starwatch.evaluate_alerts[" in worker_log(tmp_path, "worker.log")
                   and "succeeded" in worker_log(tmp_path, "worker.log").split("starwatch.evaluate_alerts[", 1)[1],
                   60, "the alerts task to succeed")

        with app.connection_for_write(broker_url) as connection:
            app.send_task("starwatch.assess_authenticity", queue="analysis", connection=connection)
        wait_until(lambda: "starwatch.assess_authenticity[" in worker_log(tmp_path, "worker.log")
                   and "succeeded" in worker_log(tmp_path, "worker.log").split("starwatch.assess_authenticity[", 1)[1],
                   90, "the authenticity task to succeed; worker log:\n" + worker_log(tmp_path, "worker.log"))
        store.close()
    finally:
        stop_worker(worker)


def test_a_batch_whose_worker_is_killed_mid_task_is_redelivered_and_stored_once(tmp_path, broker_url, sqlite_path):
    visibility_timeout = "4"
    started_file = tmp_path / "task-started"
    settings = celery_settings(broker_url, sqlite_path)
    doomed = start_worker(
        "paused_worker_app",
        worker_environment(broker_url, sqlite_path, STARWATCH_TASKS__VISIBILITY_TIMEOUT_SECONDS=visibility_timeout,
                           STARWATCH_TEST_TASK_STARTED_FILE=str(started_file),
                           STARWATCH_TEST_TASK_PAUSE_SECONDS="600"),
        tmp_path, "doomed.log",
    )
    rescuer = None
    try:
        submit_batch(settings, sample_batch())
        wait_until(started_file.exists, 60, "the first worker to start the task; its log:\n"
                   + worker_log(tmp_path, "doomed.log"))
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)
        store = reader(settings)
        assert store.count("review") == 0  # killed before it wrote anything

        rescuer = start_worker(
            "workers.celery_app",
            worker_environment(broker_url, sqlite_path,
                               STARWATCH_TASKS__VISIBILITY_TIMEOUT_SECONDS=visibility_timeout),
            tmp_path, "rescuer.log",
        )
        wait_until(lambda: store.count("review") == 5, 90,
                   "the redelivered batch in the store; rescuer log:\n" + worker_log(tmp_path, "rescuer.log"))
        broker = redis.Redis.from_url(broker_url)
        wait_until(lambda: broker.llen("ingest") == 0 and broker.hlen("unacked") == 0, 30,
                   "the task to be acknowledged")
        assert (store.count("review"), store.count("mention")) == (5, 1)
        assert len(store.latest_snapshots(["cafe-lumiere"])["cafe-lumiere"]) == 1
        killed_task_id = started_file.read_text(encoding="utf-8")
        assert f"starwatch.ingest_batch[{killed_task_id}] succeeded" in worker_log(tmp_path, "rescuer.log")
        broker.close()
        store.close()
    finally:
        stop_worker(doomed, signal.SIGKILL)
        if rescuer is not None:
            stop_worker(rescuer)

"""submit_batch() and check_broker(): in process, through real Redis, and with Redis gone."""

import base64
import json
import shutil
import subprocess
import threading

import pytest
import redis
from tests.service_support import free_port
from worker_support import broker_url_for_tests, celery_settings, sample_batch, wait_until

from config.settings import load_settings
from workers import runtime
from workers.dispatch import BrokerUnavailable, check_broker, submit_batch


@pytest.fixture
def broker_url(redis_url):
    url = broker_url_for_tests(redis_url)
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture(autouse=True)
def fresh_runtime():
    yield
    runtime.reset()


def queued_tasks(url, queue="ingest"):
    """(task name, first argument) of each message waiting in ``queue``."""
    client = redis.Redis.from_url(url)
    try:
        messages = [json.loads(raw) for raw in client.lrange(queue, 0, -1)]
    finally:
        client.close()
    # kombu's Redis transport stores the JSON body base64-encoded inside its JSON envelope.
    return [(m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0][0]) for m in messages]


def test_inprocess_mode_stores_the_batch_right_away(tmp_path):
    settings = load_settings(overrides={"tasks": {"mode": "inprocess"},
                                        "store": {"sqlite_path": str(tmp_path / "s.sqlite")}})
    submit_batch(settings, sample_batch())
    store = runtime.get_store(settings)
    assert (store.count("review"), store.count("mention")) == (5, 1)


@pytest.mark.integration
def test_celery_mode_queues_an_ingest_task_with_the_batch(tmp_path, broker_url):
    batch = sample_batch()
    submit_batch(celery_settings(broker_url, tmp_path / "s.sqlite"), batch)
    assert queued_tasks(broker_url) == [("starwatch.ingest_batch", batch)]


@pytest.mark.integration
def test_check_broker_passes_when_redis_answers(tmp_path, broker_url):
    check_broker(celery_settings(broker_url, tmp_path / "s.sqlite"))


def test_an_unreachable_broker_raises_a_message_naming_it(tmp_path):
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/5"
    settings = celery_settings(url, tmp_path / "s.sqlite", publish_retry_seconds=1)
    with pytest.raises(BrokerUnavailable) as raised:
        submit_batch(settings, sample_batch())
    message = str(raised.value)
    assert url.replace(":hunter2@", ":**@") in message
    assert "hunter2" not in message
    assert "scripts/services start redis" in message and "tasks.mode: inprocess" in message


def test_check_broker_fails_fast_with_the_same_message(tmp_path):
    url = f"redis://127.0.0.1:{free_port()}/5"
    with pytest.raises(BrokerUnavailable, match=f"cannot reach the Celery broker at {url}"):
        check_broker(celery_settings(url, tmp_path / "s.sqlite", publish_retry_seconds=60))


@pytest.mark.integration
def test_a_batch_submitted_while_redis_is_down_is_queued_once_it_is_back(tmp_path):
    """Redis is down when the crawler submits, and comes back: the producer waits, nothing is lost.

    The shared test Redis cannot be stopped (other tests use it), so this test runs its own
    short-lived redis-server on a free port, started two seconds after the submission.
    """
    server_binary = shutil.which("redis-server")
    if server_binary is None:
        pytest.fail("redis-server is not installed; `scripts/services start redis` installs it", pytrace=False)
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    command = [server_binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--dir", str(tmp_path)]
    servers = []
    starter = threading.Timer(2.0, lambda: servers.append(subprocess.Popen(command, stdout=subprocess.DEVNULL)))
    starter.start()
    try:
        batch = sample_batch()
        submit_batch(celery_settings(url, tmp_path / "s.sqlite", publish_retry_seconds=60), batch)
        assert servers, "submit_batch returned before Redis was started"
        assert wait_until(lambda: queued_tasks(url), 10, "the queued task") == [("starwatch.ingest_batch", batch)]
    finally:
        starter.cancel()
        starter.join()
        for server in servers:
            server.terminate()
            server.wait(timeout=10)

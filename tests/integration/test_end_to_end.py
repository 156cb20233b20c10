"""The whole path on real components, through the real CLI, as an operator would run it:

demo site on loopback → ``starwatch crawl`` (Scrapy) → Redis → a ``starwatch worker`` process
(Celery) → Elasticsearch → ``starwatch search`` finds the reviews → a ``starwatch beat`` process
has the worker fire ``rating_drop`` once → the email arrives at a real SMTP server,
saying what changed; an on-demand ``starwatch alerts run`` then fires nothing new.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from starwatch.capabilities.demo import demo_settings
from starwatch.demo.site import demo_site

pytestmark = pytest.mark.integration

VALID_DEMO_REVIEWS = 48  # 49 entries on the demo site, one with an impossible "11/10" rating


def cli(config: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STARWATCH_")}
    return subprocess.run([sys.executable, "-m", "starwatch.cli", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=timeout, env=env)


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


@contextmanager
def background(config: Path, tmp_path: Path, *command: str):
    """A long-running ``starwatch`` command (worker, beat) for the duration of a block."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STARWATCH_")}
    with open(tmp_path / f"{command[0]}.log", "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "starwatch.cli", "--config", str(config), *command],
                                   stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            yield process
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def stack(tmp_path, redis_url, es_url, es_index_prefix, smtp_server):
    """A config pointing at the real services, the demo site, and one Celery worker process."""
    broker = redis_url.rsplit("/", 1)[0] + "/7"
    import redis

    redis.Redis.from_url(broker).flushdb()
    with demo_site(datetime.now(timezone.utc)) as site:
        raw = demo_settings(site, tmp_path, smtp_server.port)
        raw["store"] = {"backend": "elasticsearch"}
        raw["elasticsearch"] = {"url": es_url, "index_prefix": es_index_prefix}
        raw["tasks"] = {"mode": "celery", "broker_url": broker, "batch_size": 10}
        raw["alerts"]["evaluate_every_minutes"] = 0.05  # beat every 3 s, so the test waits little
        config = tmp_path / "starwatch.yaml"
        config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        with background(config, tmp_path, "worker", "--queues", "ingest,alerts", "--concurrency", "1",
                        "--loglevel", "warning"):
            yield config, site


def queue_drained(config: Path) -> bool:
    """Nothing waiting in the ingest queue and nothing delivered but unacknowledged (acks_late)."""
    import redis

    broker = yaml.safe_load(config.read_text(encoding="utf-8"))["tasks"]["broker_url"]
    client = redis.Redis.from_url(broker)
    return client.llen("ingest") == 0 and client.hlen("unacked") == 0


def indexed_count(config: Path) -> int:
    result = cli(config, "search", "", "--limit", "1", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["total"]


def test_crawl_to_worker_to_elasticsearch_to_search_to_alert_email(stack, smtp_server, tmp_path):
    config, site = stack

    crawl = cli(config, "crawl", "--json")
    assert crawl.returncode == 0, crawl.stderr
    report = json.loads(crawl.stdout)
    assert report["reviews_collected"] == VALID_DEMO_REVIEWS
    assert sum(report["dropped"].values()) == 1  # the "11/10" entry, counted with its reason

    wait_until(lambda: indexed_count(config) == VALID_DEMO_REVIEWS, 120, "the worker to index every review")

    found = cli(config, "search", "attente", "--entity", "cafe-lumiere", "--json")
    hits = json.loads(found.stdout)["hits"]
    assert hits and all(h["document"]["entity_id"] == "cafe-lumiere" for h in hits)
    assert all(h["document"]["sentiment_label"] for h in hits)  # the worker analysed them

    # The scheduled path: beat → the worker's evaluate_alerts task → rating_drop → SMTP.
    with background(config, tmp_path, "beat", "--schedule-file", str(tmp_path / "beat-schedule")):
        message = smtp_server.wait_for(1, timeout=90)[0]
    subject = message["Subject"]
    assert "Café Lumière" in subject and "→" in subject
    body = message.get_body(("plain",)).get_content()
    # Demo data: the 30 days before averaged 73/16 = 4.56★, the last 7 days 16/8 = 2.0★ (French email).
    assert "4,6★" in body and "2,0★" in body and "8 avis" in body
    assert message["To"] == "gerance@cafe-lumiere.example.org"

    # On demand, the same incident is already open: nothing fires twice.
    again_alerts = cli(config, "alerts", "run", "--json")
    assert again_alerts.returncode == 0, again_alerts.stderr
    assert json.loads(again_alerts.stdout)["fired"] == []
    time.sleep(1)
    assert len(smtp_server.messages) == 1

    again = cli(config, "crawl", "--json")
    assert again.returncode == 0, again.stderr
    wait_until(lambda: queue_drained(config), 60, "the worker to consume the second crawl")
    assert indexed_count(config) == VALID_DEMO_REVIEWS  # crawling twice adds no review twice

"""The whole path on real components, through the real CLI, as an operator would run it:

demo site on loopback → ``starwatch crawl`` (Scrapy) → Redis → a ``starwatch worker`` process
(Celery) → Elasticsearch → ``starwatch search`` finds the reviews → ``starwatch alerts run``
fires ``rating_drop`` once → the email arrives at a real SMTP server, saying what changed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
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
        config = tmp_path / "starwatch.yaml"
        config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("STARWATCH_")}
        log = open(tmp_path / "worker.log", "w")
        worker = subprocess.Popen(
            [sys.executable, "-m", "starwatch.cli", "--config", str(config), "worker",
             "--queues", "ingest,alerts", "--concurrency", "1", "--loglevel", "warning"],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            yield config, site
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
            log.close()


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


def test_crawl_to_worker_to_elasticsearch_to_search_to_alert_email(stack, smtp_server):
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

    first = cli(config, "alerts", "run", "--json")
    assert first.returncode == 0, first.stderr
    fired = json.loads(first.stdout)["fired"]
    assert [f["incident"]["entity_id"] for f in fired] == ["cafe-lumiere"]

    message = smtp_server.wait_for(1)[0]
    subject = message["Subject"]
    assert "Café Lumière" in subject and "→" in subject
    details = fired[0]["incident"]["details"]
    body = message.get_body(("plain",)).get_content()
    french = lambda value: f"{value:.1f}".replace(".", ",")  # the entity's emails are in French
    assert french(details["old_average"]) in body and french(details["new_average"]) in body
    assert str(details["recent_count"]) in body
    assert message["To"] == "gerance@cafe-lumiere.example.org"

    second = cli(config, "alerts", "run", "--json")
    assert json.loads(second.stdout)["fired"] == []  # fires once, not on every evaluation
    time.sleep(1)
    assert len(smtp_server.messages) == 1

    again = cli(config, "crawl", "--json")
    assert again.returncode == 0, again.stderr
    wait_until(lambda: queue_drained(config), 60, "the worker to consume the second crawl")
    assert indexed_count(config) == VALID_DEMO_REVIEWS  # crawling twice adds no review twice

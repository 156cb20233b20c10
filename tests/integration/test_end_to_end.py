"""The whole path on real components, through the real CLI, as an operator would run it:

demo site on loopback → ``starwatch crawl`` (Scrapy) → Redis → a ``starwatch worker`` process
(Celery) → Elasticsearch → ``starwatch search`` finds the reviews → the worker (right after each
batch) and a ``starwatch beat`` process evaluate the rules: ``rating_drop`` fires once → the email arrives at a real SMTP server,
saying what changed; an on-demand ``starwatch alerts run`` then fires nothing new; a second crawl,
this time scheduled as ``starwatch.crawl_source`` tasks on the worker, adds no review twice.
"""

from __future__ import annotations

import json
import re
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

VALID_DEMO_REVIEWS = 54  # 55 entries on the demo site, one with an impossible "11/10" rating


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


# Redis databases other suites use as brokers (tests/workers: 13, benchmarks/alert_latency: 12).
RESERVED_DBS = {0, 12, 13}


def claim_redis_db(redis_url: str) -> str:
    """A broker URL on a Redis database no other run of this test is using right now.

    Two runs sharing one database would consume each other's tasks (a developer's run while CI
    runs on the same machine), so each run claims a database with an expiring key.
    """
    import redis

    base = redis_url.rsplit("/", 1)[0]
    for number in sorted(set(range(1, 16)) - RESERVED_DBS):
        client = redis.Redis.from_url(f"{base}/{number}")
        if client.set("starwatch:e2e-claim", os.getpid(), nx=True, ex=900):
            for key in client.scan_iter():
                if key != b"starwatch:e2e-claim":
                    client.delete(key)
            return f"{base}/{number}"
    raise AssertionError("every Redis test database is claimed by another run; try again in 15 minutes")


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
    broker = claim_redis_db(redis_url)
    with demo_site(datetime.now(timezone.utc)) as site:
        raw = demo_settings(site, tmp_path, smtp_server.port)
        raw["store"] = {"backend": "elasticsearch"}
        raw["elasticsearch"] = {"url": es_url, "index_prefix": es_index_prefix}
        raw["tasks"] = {"mode": "celery", "broker_url": broker, "batch_size": 10}
        raw["alerts"]["evaluate_every_minutes"] = 0.05  # beat every 3 s, so the test waits little
        config = tmp_path / "starwatch.yaml"
        config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        with background(config, tmp_path, "worker", "--queues", "ingest,alerts,email,crawl", "--concurrency", "1",
                        "--loglevel", "info"):
            yield config, site
    import redis

    redis.Redis.from_url(broker).flushdb()  # releases the claim too


def queue_drained(config: Path) -> bool:
    """Nothing waiting in the ingest queue and nothing delivered but unacknowledged (acks_late)."""
    import redis

    broker = yaml.safe_load(config.read_text(encoding="utf-8"))["tasks"]["broker_url"]
    client = redis.Redis.from_url(broker)
    return all(client.llen(queue) == 0 for queue in ("crawl", "ingest")) and client.hlen("unacked") == 0


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

    # The worker evaluates the entities each batch touched and beat re-evaluates everything:
    # either way rating_drop fires once and exactly one email reaches the SMTP server.
    with background(config, tmp_path, "beat", "--schedule-file", str(tmp_path / "beat-schedule")):
        message = smtp_server.wait_for(1, timeout=90)[0]
        time.sleep(7)  # two more beat passes (every 3 s): nothing may fire or send twice
    incidents = json.loads(cli(config, "alerts", "list", "--json").stdout)
    incidents = incidents["incidents"] if isinstance(incidents, dict) else incidents
    assert [i["entity_id"] for i in incidents] == ["cafe-lumiere"]
    details = incidents[0]["details"]
    subject = message["Subject"]
    assert "Café Lumière" in subject and "→" in subject
    body = message.get_body(("plain",)).get_content()
    french = lambda value: f"{value:.1f}".replace(".", ",") + "★"  # the entity's emails are in French
    assert french(details["old_average"]) in body and french(details["new_average"]) == "2,0★" in body
    assert f"{details['recent_count']} avis" in body
    assert message["To"] == "gerance@cafe-lumiere.example.org"

    # On demand, the same incident is already open: nothing fires twice.
    again_alerts = cli(config, "alerts", "run", "--json")
    assert again_alerts.returncode == 0, again_alerts.stderr
    assert json.loads(again_alerts.stdout)["fired"] == []
    time.sleep(1)
    assert len(smtp_server.messages) == 1

    # The scheduled path for crawling: beat sends starwatch.crawl_source per source to the crawl
    # queue; the worker crawls in a child process and hands the batches to the ingest queue.
    from workers.celery_app import app as celery_app

    broker = yaml.safe_load(config.read_text(encoding="utf-8"))["tasks"]["broker_url"]
    sources = [s["id"] for e in yaml.safe_load(config.read_text(encoding="utf-8"))["entities"] for s in e["sources"]]
    with celery_app.connection_for_write(broker) as connection:
        for source_id in sources:
            celery_app.send_task("starwatch.crawl_source", args=[source_id], queue="crawl", connection=connection)
    worker_log = lambda: (tmp_path / "worker.log").read_text(encoding="utf-8")
    crawls_done = lambda: len(re.findall(r"Task starwatch\.crawl_source\[[^]]+\] succeeded", worker_log()))
    wait_until(lambda: crawls_done() == len(sources), 180, "every scheduled crawl to succeed on the worker")
    wait_until(lambda: queue_drained(config), 120, "the worker to ingest the crawled batches")
    assert indexed_count(config) == VALID_DEMO_REVIEWS  # crawling twice adds no review twice

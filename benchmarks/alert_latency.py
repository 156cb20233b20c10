"""Benchmark: from a review handed off by the crawler to its alert email at the SMTP server.

Real components on this machine: the crawler's hand-off (``workers.dispatch.submit_batch``,
the door every crawl uses), Redis as the Celery broker, a real Celery worker process (2 worker
processes), Elasticsearch as the store, and an aiosmtpd SMTP server. The worker is the
production one (``workers.celery_app``): each ``starwatch.ingest_batch`` task evaluates the
entities it touched (``after_ingest``) and queues ``starwatch.send_alert_emails`` on the
``email`` queue, which sends what is due.

Each batch carries one new 1-star review of a different café (the ``new_negative_review`` rule
fires at once) and nine good reviews of others; batches leave every 0.5 s. Latency = time the
alert email reached the SMTP server − time the batch was handed off. Target: p95 ≤ 30 s.

Needs the services of ``scripts/services start`` (Redis on 6390, Elasticsearch on 9250;
override with STARWATCH_TEST_REDIS_URL / STARWATCH_TEST_ES_URL). Run from the repository root::

    python benchmarks/alert_latency.py --reviews 40
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config.settings import load_settings  # noqa: E402
from search.documents import Review, make_review_id  # noqa: E402
from workers.dispatch import submit_batch  # noqa: E402

REDIS_URL = os.environ.get("STARWATCH_TEST_REDIS_URL", "redis://127.0.0.1:6390/0")
ES_URL = os.environ.get("STARWATCH_TEST_ES_URL", "http://127.0.0.1:9250")
BROKER = REDIS_URL.rsplit("/", 1)[0] + "/12"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """A real SMTP server that notes when each alert arrived, by entity."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.arrived: dict[str, float] = {}
        self.lock = threading.Lock()
        inbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
                message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
                with inbox.lock:
                    inbox.arrived.setdefault(str(message["X-Starwatch-Entity"]), time.time())
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)


def write_config(workdir: Path, smtp_port: int, count: int, prefix: str) -> Path:
    rules = workdir / "rules"
    rules.mkdir()
    (rules / "negative.yaml").write_text("id: negative-review\ntype: new_negative_review\n", encoding="utf-8")
    config = workdir / "starwatch.yaml"
    config.write_text(yaml.safe_dump({
        "store": {"backend": "elasticsearch"}, "elasticsearch": {"url": ES_URL, "index_prefix": prefix},
        "tasks": {"mode": "celery", "broker_url": BROKER, "batch_size": 10},
        "smtp": {"host": "127.0.0.1", "port": smtp_port, "sender": "starwatch <alerts@bench.example>"},
        "privacy": {"salt_file": str(workdir / "salt")},
        "alerts": {"rules": [], "rule_files": [str(rules / "*.yaml")], "backfill_days": 0},
        "entities": [{"id": f"cafe-{n:03d}", "name": f"Café n°{n}", "language": "fr",
                      "recipients": [f"equipe-{n:03d}@bench.example"]} for n in range(count + 1)],
    }, allow_unicode=True), encoding="utf-8")
    return config


def batch_for(n: int, count: int) -> dict:
    now = datetime.now(timezone.utc)

    def review(entity: int, rating: int, text: str, key: str) -> dict:
        return Review(review_id=make_review_id("bench-site", key), source="bench-site", platform="schema_org",
                      entity_id=f"cafe-{entity:03d}", rating=rating, text=text, language="fr",
                      published_at=now - timedelta(minutes=5)).model_dump(mode="json")

    bad = review(n, 1, "Commande oubliée, une heure d'attente et personne pour s'excuser.", f"bad-{n}-{time.time()}")
    good = [review((n + k) % count, 5, "Accueil parfait et café délicieux.", f"good-{n}-{k}-{time.time()}")
            for k in range(1, 10)]
    return {"reviews": [bad, *good]}


def start_worker(config: Path, workdir: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STARWATCH_")}
    env.update(STARWATCH_CONFIG=str(config), PYTHONPATH=str(ROOT))
    log = open(workdir / "worker.log", "w")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "-Q", "ingest,alerts,email",
         "-c", "2", "--loglevel", "warning", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_for(inbox: Inbox, keys: list[str], timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with inbox.lock:
            if all(key in inbox.arrived for key in keys):
                return
        time.sleep(0.05)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reviews", type=int, default=40, help="alerts to measure (one per batch)")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between batches")
    args = parser.parse_args()
    import redis

    redis.Redis.from_url(BROKER).flushdb()
    prefix = f"bench-latency-{os.getpid()}"
    inbox = Inbox()
    inbox.controller.start()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        config = write_config(workdir, inbox.port, args.reviews, prefix)
        settings = load_settings(config)
        worker = start_worker(config, workdir)
        try:
            warm_up = f"cafe-{args.reviews:03d}"
            submit_batch(settings, batch_for(args.reviews, args.reviews))  # worker start, indices, first pass
            wait_for(inbox, [warm_up], 120)
            if warm_up not in inbox.arrived:
                sys.exit(f"no alert arrived within 120 s; see {workdir / 'worker.log'}:\n"
                         + (workdir / "worker.log").read_text()[-2000:])
            handed_off: dict[str, float] = {}
            for n in range(args.reviews):
                handed_off[f"cafe-{n:03d}"] = time.time()
                submit_batch(settings, batch_for(n, args.reviews))
                time.sleep(args.interval)
            wait_for(inbox, list(handed_off), 120)
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
            inbox.controller.stop()
            from elasticsearch import Elasticsearch

            Elasticsearch(ES_URL).indices.delete(index=f"{prefix}-*", ignore_unavailable=True)
    latencies = [inbox.arrived[key] - started for key, started in handed_off.items() if key in inbox.arrived]
    missing = len(handed_off) - len(latencies)
    print(f"crawl hand-off → alert at the SMTP server, {len(latencies)} alerts "
          f"(Celery worker -c 2 on Redis, Elasticsearch, aiosmtpd; a batch every {args.interval} s):")
    print(f"  p50 {percentile(latencies, 0.5):.2f} s, p95 {percentile(latencies, 0.95):.2f} s, "
          f"max {max(latencies):.2f} s, missing {missing}")


if __name__ == "__main__":
    main()

"""Helpers shared by the workers tests: invented records, settings, real worker processes.

Every text here was written for these tests (French and English), none comes from a dataset.
Redis isolation: these tests use their own Redis database (``WORKERS_TEST_DB``) on the shared
test server and empty it before each test, so they never meet another area's keys.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from config.settings import Settings, load_settings
from search.documents import Mention, RatingSnapshot, Review, make_mention_id, make_review_id, make_snapshot_id

REPO_ROOT = Path(__file__).resolve().parents[2]
SUPPORT_DIR = Path(__file__).resolve().parent
WORKERS_TEST_DB = 13
BASE_TIME = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)

FRENCH_REVIEWS = [
    ("Accueil chaleureux et plats délicieux, je recommande vivement !", 5),
    ("Très déçue : le plat était froid et le serveur désagréable.", 1),
    ("Pas terrible, les frites étaient rassises et l'attente interminable.", 2),
]
ENGLISH_REVIEWS = [
    ("Lovely staff and a wonderful breakfast, we will definitely come back.", 5),
    ("The room was dirty and the manager was rude. Awful stay.", 1),
]


def make_review(index: int, text: str, rating: float | None, *, entity_id: str = "cafe-lumiere") -> Review:
    external_id = f"rev-{index}"
    return Review(
        review_id=make_review_id("cafe-site", external_id),
        source="cafe-site",
        platform="schema_org",
        external_id=external_id,
        entity_id=entity_id,
        rating=rating,
        text=text,
        published_at=BASE_TIME - timedelta(days=index),
        collected_at=BASE_TIME,
    )


def sample_batch(prefix: int = 0) -> dict:
    """Five reviews (FR and EN), one mention and one rating snapshot, dumped as JSON."""
    texts = FRENCH_REVIEWS + ENGLISH_REVIEWS
    reviews = [make_review(prefix + i, text, rating) for i, (text, rating) in enumerate(texts)]
    mention_text = "Le Café Lumière a rouvert ses portes : une terrasse agréable et un service rapide."
    mention = Mention(
        mention_id=make_mention_id("local-news", "https://news.example.org/a", mention_text),
        source="local-news", platform="news", entity_id="cafe-lumiere", text=mention_text,
        url="https://news.example.org/a", published_at=BASE_TIME, collected_at=BASE_TIME,
    )
    snapshot = RatingSnapshot(
        snapshot_id=make_snapshot_id("cafe-site", "cafe-lumiere", BASE_TIME), source="cafe-site",
        platform="schema_org", entity_id="cafe-lumiere", average=3.8, rating_count=120, observed_at=BASE_TIME,
    )
    return {
        "reviews": [review.model_dump(mode="json") for review in reviews],
        "mentions": [mention.model_dump(mode="json")],
        "snapshots": [snapshot.model_dump(mode="json")],
    }


def broker_url_for_tests(redis_url: str) -> str:
    """The fixture's Redis server, on the workers tests' own database number."""
    parsed = urlparse(redis_url)
    return urlunparse(parsed._replace(path=f"/{WORKERS_TEST_DB}"))


def celery_settings(broker_url: str, sqlite_path: Path, **tasks) -> Settings:
    return load_settings(overrides={
        "tasks": {"mode": "celery", "broker_url": broker_url, **tasks},
        "store": {"backend": "sqlite", "sqlite_path": str(sqlite_path)},
    })


def worker_environment(broker_url: str, sqlite_path: Path, **extra: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("STARWATCH_")}
    environment.update({
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(SUPPORT_DIR)]),
        "STARWATCH_TASKS__MODE": "celery",
        "STARWATCH_TASKS__BROKER_URL": broker_url,
        "STARWATCH_STORE__BACKEND": "sqlite",
        "STARWATCH_STORE__SQLITE_PATH": str(sqlite_path),
        **extra,
    })
    return environment


def start_worker(app_module: str, environment: dict[str, str], workdir: Path, log_name: str) -> subprocess.Popen:
    """A real Celery worker process (solo pool) consuming the ingest and alerts queues."""
    log = open(workdir / log_name, "w", encoding="utf-8")  # noqa: SIM115 - closed with the process
    command = [sys.executable, "-m", "celery", "-A", app_module, "worker", "-Q", "ingest,alerts,email,analysis",
               "-P", "solo", "-c", "1", "--without-mingle", "--without-gossip", "--without-heartbeat",
               "--loglevel", "INFO", "-n", f"{log_name}@%h"]
    # cwd is a temporary directory so that no config/starwatch.yaml of the checkout is read.
    return subprocess.Popen(command, cwd=workdir, env=environment, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop_worker(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_until(condition, timeout: float, what: str, interval: float = 0.1):
    """Poll ``condition`` until it returns a truthy value; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")

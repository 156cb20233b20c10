"""When each source is crawled, and how a Celery worker runs one crawl in a process of its own.

Celery beat runs each source at its ``interval_minutes``: ``crawl_beat_schedule(settings)``
gives one beat entry per source, calling the task ``starwatch.crawl_source`` on the ``crawl``
queue. The task (in ``workers/tasks.py``) only calls ``crawl_source_now``, which starts
``python -m crawlers.runner`` in a child process: Twisted's reactor can run once per process,
so a worker process never runs Scrapy itself, and crawling scales out by adding workers that
consume the ``crawl`` queue, on this machine or others.

Whether a crawl walks the whole history (``--backfill``) is decided from the source's crawl
state: when the last complete listing is older than ``backfill_interval_minutes`` (or there was
none). Deletions are only judged on complete listings, so this is what keeps them found.
``due_sources`` answers the same questions for a scheduler that polls instead of using beat.

The child gets the same settings: everything but the secrets in a temporary YAML file (deleted
afterwards), the secrets in its environment only, as ``config.settings`` requires.
Reads ``entities[].sources[]`` (interval, backfill interval) and passes every section on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from config.settings import SECRET_KEYS, Settings
from crawlers.errors import CrawlConfigError
from crawlers.sources import configured_sources, find_source
from search.documents import Source, utcnow

CRAWL_QUEUE = "crawl"
CRAWL_TASK = "starwatch.crawl_source"
DEFAULT_TIMEOUT_SECONDS = 3600


class CrawlProcessError(Exception):
    """The crawl process died without a report; the message holds the end of its output."""


@dataclass(frozen=True)
class DueCrawl:
    source_id: str
    backfill: bool


def crawl_beat_schedule(settings: Settings) -> dict[str, dict]:
    """One Celery beat entry per configured source, at its ``interval_minutes``.

    A message still queued when the next one is due is dropped (``expires``), so a backlog
    never stacks crawls of the same source.
    """
    return {
        f"crawl-{configured.source.id}": {
            "task": CRAWL_TASK,
            "schedule": timedelta(minutes=configured.source.interval_minutes),
            "args": (configured.source.id,),
            "options": {"queue": CRAWL_QUEUE, "expires": configured.source.interval_minutes * 60},
        }
        for configured in configured_sources(settings)
    }


def needs_backfill(source: Source, state, now: datetime) -> bool:
    """True when the source has no complete listing newer than its backfill interval."""
    if source.backfill_interval_minutes is None:
        return False
    last = state.last_complete_listing_at if state is not None else None
    return last is None or now - last >= timedelta(minutes=source.backfill_interval_minutes)


def due_sources(settings: Settings, store, now: datetime | None = None) -> list[DueCrawl]:
    """Sources whose last crawl is at least ``interval_minutes`` old (or that never ran)."""
    now = now or utcnow()
    due = []
    for configured in configured_sources(settings):
        source = configured.source
        state = store.get_crawl_state(source.id)
        last = state.last_crawl_at if state is not None else None
        if last is None or now - last >= timedelta(minutes=source.interval_minutes):
            due.append(DueCrawl(source.id, needs_backfill(source, state, now)))
    return due


def _settings_for_child(settings: Settings) -> tuple[dict, dict[str, str]]:
    """(YAML data without secrets, environment variables carrying the secrets)."""
    data = settings.model_dump(mode="json")
    env: dict[str, str] = {}
    for dotted, variable in SECRET_KEYS.items():
        section, _, key = dotted.partition(".")
        data.get(section, {}).pop(key, None)
        value = getattr(getattr(settings, section), key)
        if value is not None:
            env[variable] = value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
    return data, env


def run_crawl_in_subprocess(
    settings: Settings, source_id: str, backfill: bool = False, timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> dict:
    """Crawl one source in a child process; returns its report (``CrawlReport`` as JSON).

    :raises CrawlConfigError: the source is unknown or the child refused the configuration.
    :raises CrawlProcessError: the child died or timed out without a report.
    """
    find_source(settings, source_id)
    data, secrets = _settings_for_child(settings)
    handle, config_path = tempfile.mkstemp(prefix="starwatch-crawl-", suffix=".yaml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as config_file:
            yaml.safe_dump(data, config_file, allow_unicode=True)
        command = [sys.executable, "-m", "crawlers.runner", "--config", config_path, "--source", source_id]
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("STARWATCH_")}, **secrets}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH")]))
        try:
            done = subprocess.run(command + (["--backfill"] if backfill else []), capture_output=True, text=True,
                                  env=env, timeout=timeout)
        except subprocess.TimeoutExpired as error:
            raise CrawlProcessError(f"crawl of {source_id!r} took longer than {timeout:.0f} s and was stopped") from error
    finally:
        Path(config_path).unlink(missing_ok=True)
    if done.returncode == 2:
        raise CrawlConfigError(done.stderr.strip().removeprefix("error: ") or f"crawl of {source_id!r} refused")
    if not done.stdout.strip():
        raise CrawlProcessError(f"crawl of {source_id!r} exited {done.returncode} without a report: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def crawl_source_now(settings: Settings, store, source_id: str, backfill: bool | None = None) -> dict:
    """What the ``starwatch.crawl_source`` task does: decide on backfill, crawl in a child process.

    :param backfill: None decides from the crawl state (``needs_backfill``).
    """
    if backfill is None:
        source = find_source(settings, source_id).source
        backfill = needs_backfill(source, store.get_crawl_state(source_id), utcnow())
    return run_crawl_in_subprocess(settings, source_id, backfill=backfill)

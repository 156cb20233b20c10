"""Hand a batch of collected records to the workers: now in this process, or through Celery.

This is the one door from the crawlers into the workers (the crawl's store pipeline calls
``submit_batch`` every ``tasks.batch_size`` records).

Settings read and why:
- ``tasks.mode``: ``inprocess`` ingests right away with this process's store (single-machine
  use, no broker to run); ``celery`` publishes a ``starwatch.ingest_batch`` task on the
  ``ingest`` queue.
- ``tasks.broker_url``: where to publish.
- ``tasks.publish_retry_seconds``: how long to keep retrying an unreachable broker, so a Redis
  restart or a minute-long outage loses nothing: the crawl just waits. After that,
  ``BrokerUnavailable`` says which broker and how to start it, and the caller decides (the
  crawl stops rather than silently dropping reviews).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from kombu.exceptions import OperationalError
from kombu.utils.url import maybe_sanitize_url

from config.settings import Settings
from workers.celery_app import INGEST_QUEUE, INGEST_TASK, app, ensure_configured, publish_retry_policy

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 5


class BrokerUnavailable(RuntimeError):
    """The Celery broker cannot be reached; the message names it and says how to start it."""


def submit_batch(settings: Settings, batch: dict[str, Any]) -> None:
    """Ingest ``batch`` now (``inprocess``) or queue it for a worker (``celery``).

    :param settings: the caller's settings (``tasks.*`` and, in process, ``store.*``).
    :param batch: ``{"reviews": [...], "mentions": [...], "snapshots": [...]}`` of records
        dumped with ``model_dump(mode="json")``; see ``workers.ingest``.
    :raises BrokerUnavailable: ``celery`` mode and the broker stayed unreachable for
        ``tasks.publish_retry_seconds``.

    Example::

        submit_batch(settings, {"reviews": [review.model_dump(mode="json")]})
    """
    if settings.tasks.mode == "inprocess":
        from workers import runtime
        from workers.ingest import ingest_batch

        ingest_batch(batch, runtime.get_store(settings))
        return
    _publish(settings, INGEST_TASK, args=[batch], queue=INGEST_QUEUE)


def check_broker(settings: Settings) -> None:
    """Fail fast when the broker is unreachable: one connection attempt, a few seconds at most.

    :raises BrokerUnavailable: with the broker URL and how to start it.
    """
    ensure_configured(settings)
    with app.connection_for_write(settings.tasks.broker_url) as connection:
        try:
            connection.ensure_connection(max_retries=0, timeout=CHECK_TIMEOUT_SECONDS)
        except (OperationalError, *connection.connection_errors) as exc:
            raise BrokerUnavailable(broker_unavailable_message(settings, exc, waited_seconds=0)) from exc


def broker_unavailable_message(settings: Settings, error: BaseException, waited_seconds: float) -> str:
    """What went wrong and the three ways to fix it; the URL is shown without its password."""
    url = maybe_sanitize_url(settings.tasks.broker_url)
    waited = f" after retrying for {waited_seconds:.0f} s" if waited_seconds else ""
    return (
        f"cannot reach the Celery broker at {url}{waited} ({type(error).__name__}: {error}). "
        "Start Redis there (development: `scripts/services start redis` or "
        "`docker compose up -d redis`), or point tasks.broker_url / STARWATCH_TASKS__BROKER_URL "
        "at a running Redis, or set tasks.mode: inprocess to ingest without a broker."
    )


def _publish(settings: Settings, task_name: str, *, args: list[Any], queue: str) -> None:
    """Connect (retrying until the deadline), then publish (retrying within what is left)."""
    ensure_configured(settings)
    budget = settings.tasks.publish_retry_seconds
    started = time.monotonic()
    with app.connection_for_write(settings.tasks.broker_url) as connection:
        try:
            connection.ensure_connection(
                max_retries=None if budget > 0 else 0, timeout=budget or None,
                interval_start=0, interval_step=0.5, interval_max=5,
                errback=lambda exc, interval: logger.warning(
                    "broker %s unreachable (%s); retrying in %.1f s",
                    maybe_sanitize_url(settings.tasks.broker_url), exc, interval),
            )
            remaining = max(0.0, budget - (time.monotonic() - started))
            app.send_task(task_name, args=args, queue=queue, connection=connection,
                          retry=True, retry_policy=publish_retry_policy(remaining))
        except (OperationalError, *connection.connection_errors) as exc:
            waited = time.monotonic() - started
            raise BrokerUnavailable(broker_unavailable_message(settings, exc, waited)) from exc

"""The Celery application: queues, routes, delivery guarantees and the alert schedule.

Start a worker and the scheduler from the repository root::

    celery -A workers.celery_app worker -Q ingest,alerts,email --concurrency 2
    celery -A workers.celery_app beat

Configuration comes from ``config.load_settings()`` when the worker or beat first needs it,
not at import, so a broken config file fails the start with its ``ConfigError`` message rather
than an import traceback. Producers call ``configure(settings)`` (or ``ensure_configured``)
with the settings they already hold.

Settings read and why:
- ``tasks.broker_url``: the Redis broker. No result backend: tasks write to the store, and
  nobody waits on a task result.
- ``tasks.visibility_timeout_seconds``: with ``task_acks_late`` a task is acknowledged only
  when it has finished, and Redis hands an unacknowledged task to another worker after this
  long. A short value recovers quickly from a killed worker; it must stay above the longest
  task, or a slow task would run twice (harmless for ingest, which is idempotent, but wasted).
- ``tasks.publish_retry_seconds``: bounds publish retries of tasks sent from inside workers.
- ``alerts.evaluate_every_minutes``: the beat schedule of ``starwatch.evaluate_alerts``.

Delivery: ``task_acks_late`` + ``task_reject_on_worker_lost`` + ``worker_prefetch_multiplier=1``
mean a task whose worker dies is redelivered, and a worker holds no more than the task it runs.
"""

from __future__ import annotations

from datetime import timedelta
from fnmatch import fnmatchcase
from typing import Any

from celery import Celery, signals
from kombu import Exchange, Queue

from config.settings import Settings
from workers import runtime

INGEST_QUEUE = "ingest"
ALERTS_QUEUE = "alerts"
EMAIL_QUEUE = "email"
ANALYSIS_QUEUE = "analysis"
CRAWL_QUEUE = "crawl"  # the same name as crawlers.scheduling.CRAWL_QUEUE (checked by a test)
QUEUES = (INGEST_QUEUE, ALERTS_QUEUE, EMAIL_QUEUE, ANALYSIS_QUEUE, CRAWL_QUEUE)

INGEST_TASK = "starwatch.ingest_batch"
EVALUATE_ALERTS_TASK = "starwatch.evaluate_alerts"
SEND_ALERT_EMAILS_TASK = "starwatch.send_alert_emails"
ASSESS_AUTHENTICITY_TASK = "starwatch.assess_authenticity"
CRAWL_SOURCE_TASK = "starwatch.crawl_source"
# Authenticity looks at an entity's whole history (bursts, repeated phrasing), so it runs on a
# schedule over every entity rather than after each batch; re-crawled reviews keep their flags
# meanwhile (workers.ingest carries them over).
ASSESS_AUTHENTICITY_EVERY = timedelta(hours=1)
# Email-sending tasks are named ``starwatch.send_*`` and go to their own queue, so that a slow
# SMTP server never holds back ingestion or rule evaluation.
TASK_ROUTES = {
    INGEST_TASK: {"queue": INGEST_QUEUE},
    EVALUATE_ALERTS_TASK: {"queue": ALERTS_QUEUE},
    ASSESS_AUTHENTICITY_TASK: {"queue": ANALYSIS_QUEUE},
    CRAWL_SOURCE_TASK: {"queue": CRAWL_QUEUE},
    "starwatch.send_*": {"queue": EMAIL_QUEUE},
}

# Redis socket bounds: a broker that vanished without closing the connection must not hang
# a producer or a worker forever (kombu waits forever by default).
SOCKET_CONNECT_TIMEOUT_SECONDS = 5
SOCKET_TIMEOUT_SECONDS = 30
MAX_RESTORE_INTERVAL_SECONDS = 10

app = Celery("starwatch", include=["workers.tasks"])
_configured_explicitly = False


def celery_config(settings: Settings) -> dict[str, Any]:
    """The Celery settings for ``settings``, as a plain dict (``app.conf.update`` input)."""
    from crawlers.scheduling import crawl_beat_schedule

    visibility_timeout = settings.tasks.visibility_timeout_seconds
    evaluate_every = timedelta(minutes=settings.alerts.evaluate_every_minutes)
    return {
        "broker_url": settings.tasks.broker_url,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {
            "visibility_timeout": visibility_timeout,
            # How often a worker looks for tasks whose worker died: a fraction of the timeout,
            # so a killed worker's task comes back soon after the timeout, not minutes later.
            "unacked_restore_interval": max(1, min(MAX_RESTORE_INTERVAL_SECONDS, visibility_timeout / 2)),
            "unacked_restore_throttle": 1,
            "socket_connect_timeout": SOCKET_CONNECT_TIMEOUT_SECONDS,
            "socket_timeout": SOCKET_TIMEOUT_SECONDS,
        },
        "result_backend": None,
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "event_serializer": "json",
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_queues": [Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES],
        "task_default_queue": INGEST_QUEUE,
        "task_routes": TASK_ROUTES,
        "task_publish_retry": True,
        "task_publish_retry_policy": publish_retry_policy(settings.tasks.publish_retry_seconds),
        "timezone": "UTC",
        "enable_utc": True,
        "beat_schedule": {
            "evaluate-alerts": {
                "task": EVALUATE_ALERTS_TASK,
                "schedule": evaluate_every,
                # A run that waited longer than one period is superseded by the next one:
                # after an outage, evaluate once, not once per missed period.
                "options": {"queue": ALERTS_QUEUE, "expires": evaluate_every.total_seconds()},
            },
            "assess-authenticity": {
                "task": ASSESS_AUTHENTICITY_TASK,
                "schedule": ASSESS_AUTHENTICITY_EVERY,
                "options": {"queue": ANALYSIS_QUEUE, "expires": ASSESS_AUTHENTICITY_EVERY.total_seconds()},
            },
            # one entry per configured source, at its interval_minutes
            **crawl_beat_schedule(settings),
        },
    }


def queue_for(task_name: str) -> str | None:
    """The queue ``TASK_ROUTES`` sends ``task_name`` to (exact names first, then patterns)."""
    if task_name in TASK_ROUTES:
        return TASK_ROUTES[task_name]["queue"]
    for pattern, route in TASK_ROUTES.items():
        if fnmatchcase(task_name, pattern):
            return route["queue"]
    return None


def publish_retry_policy(total_seconds: float) -> dict[str, float | int]:
    """kombu retry policy whose sleeps add up to at least ``total_seconds`` (0: no retry).

    Sleeps start at 0, grow by 0.5 s and stay at 5 s at most, so a short blip costs little
    and a long outage is polled every 5 s.
    """
    interval_start, interval_step, interval_max = 0.0, 0.5, 5.0
    retries, slept, interval = 0, 0.0, interval_start
    while slept < total_seconds:
        slept += interval
        interval = min(interval + interval_step, interval_max)
        retries += 1
    return {"max_retries": retries, "interval_start": interval_start,
            "interval_step": interval_step, "interval_max": interval_max}


def configure(settings: Settings) -> None:
    """Apply ``settings`` to the app and make them this process's settings for tasks.

    Later calls replace earlier ones.
    """
    global _configured_explicitly
    _configured_explicitly = True
    app.conf.update(celery_config(settings))
    runtime.use_settings(settings)


def ensure_configured(settings: Settings) -> None:
    """Configure from ``settings`` unless the app already has a configuration."""
    if not _configured_explicitly:
        configure(settings)


@app.on_configure.connect
def _configure_from_environment(sender: Celery, **_: Any) -> None:
    """First use of ``app.conf`` in a worker or beat: read the settings of this process.

    A broken configuration stops the process here with the ``ConfigError`` message. It has to
    be ``SystemExit``: Celery logs and swallows ordinary exceptions raised by signal handlers,
    and would then start with its built-in defaults (an AMQP broker on localhost).
    """
    if _configured_explicitly:
        return
    from config.settings import ConfigError

    try:
        settings = runtime.get_settings()
    except ConfigError as exc:
        raise SystemExit(f"starwatch: cannot start Celery: {exc}") from exc
    configure(settings)


@signals.worker_process_init.connect
def _forget_parent_store(**_: Any) -> None:
    """A forked pool process must open its own store connection, not share its parent's."""
    runtime.forget_inherited_stores()


@signals.worker_shutdown.connect
def _close_store(**_: Any) -> None:
    runtime.reset()

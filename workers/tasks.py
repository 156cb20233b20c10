"""Celery tasks: thin adapters from a queue message to the plain functions that do the work.

Each task only resolves this process's settings and store (``workers.runtime``) and calls one
function: ``workers.ingest.ingest_batch`` (then ``workers.alerts.triggers.after_ingest`` for the
entities the batch touched), ``workers.alerts.engine.run_alerts`` or
``workers.alerts.delivery.deliver_due``. Tests call
those functions directly; the tasks themselves are exercised by real workers in
``tests/workers/test_celery_worker.py``.

Every task is declared through ``starwatch_task``: an explicit name (the routing key and the
contract with producers, so it never changes with a module move), an explicit queue, late
acknowledgement, and retries only on named transient errors: a store or broker that is briefly
unreachable. Any other exception is a bug or bad data and fails loudly, once.

Settings read: none directly (``workers.runtime`` does).
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from search.backends.base import StoreUnavailable
from workers import ingest, runtime
from workers.celery_app import (
    ALERTS_QUEUE,
    ANALYSIS_QUEUE,
    ASSESS_AUTHENTICITY_TASK,
    CRAWL_QUEUE,
    CRAWL_SOURCE_TASK,
    EMAIL_QUEUE,
    EVALUATE_ALERTS_TASK,
    INGEST_QUEUE,
    INGEST_TASK,
    SEND_ALERT_EMAILS_TASK,
    app,
    queue_for,
)

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (StoreUnavailable, ConnectionError, TimeoutError)
MAX_RETRIES = 8
RETRY_BACKOFF_MAX_SECONDS = 600


def starwatch_task(*, name: str, queue: str, retry_on: tuple[type[Exception], ...] = TRANSIENT_ERRORS) -> Callable:
    """The one task decorator of the project (see the module docstring).

    :param name: public task name, ``starwatch.<verb>_<object>``.
    :param queue: one of ``workers.celery_app.QUEUES``; it must be the queue that
        ``workers.celery_app.TASK_ROUTES`` gives the name (Celery routes by name; the queue is
        repeated here so that a reader of a task sees where it runs, and checked at import).
    :param retry_on: exceptions worth retrying with exponential backoff (1 s, 2 s... 10 min).
    """
    routed_to = queue_for(name)
    if routed_to != queue:
        raise ValueError(
            f"task {name!r} is declared for queue {queue!r} but TASK_ROUTES in workers/celery_app.py "
            f"sends it to {routed_to!r}; add or fix its route there"
        )
    return app.task(
        name=name,
        acks_late=True,
        reject_on_worker_lost=True,
        ignore_result=True,
        autoretry_for=retry_on,
        retry_backoff=True,
        retry_backoff_max=RETRY_BACKOFF_MAX_SECONDS,
        retry_jitter=True,
        max_retries=MAX_RETRIES,
    )


@starwatch_task(name=INGEST_TASK, queue=INGEST_QUEUE)
def ingest_batch(batch: dict[str, Any]) -> dict[str, Any]:
    """Validate, analyse and store one batch from a crawler (``workers.ingest.ingest_batch``)."""
    settings, store = runtime.get_settings(), runtime.get_store()
    result = ingest.ingest_batch(batch, store)
    if result.rejected:
        logger.warning("batch stored with %d rejected record(s): %s", len(result.rejected), result.rejected)
    _evaluate_touched_entities(settings, store, batch)
    return result.summary()


def _evaluate_touched_entities(settings, store, batch: dict[str, Any]) -> None:
    """Alert within seconds of a review landing: evaluate only the entities this batch touched.

    Incidents and their emails are recorded here; sending is its own task on the ``email``
    queue, so a slow SMTP server never holds back ingestion.
    """
    from workers.alerts.triggers import after_ingest, entity_ids_of

    run = after_ingest(settings, store, entity_ids_of(batch))
    for error in run.errors:
        logger.warning("after-ingest alert evaluation: %s", error)
    if run.deliveries_recorded:
        send_alert_emails.delay()


@starwatch_task(name=EVALUATE_ALERTS_TASK, queue=ALERTS_QUEUE)
def evaluate_alerts(entity_ids: list[str] | None = None) -> None:
    """Evaluate the alert rules (all entities, or ``entity_ids``) and send what fires.

    Run by beat every ``alerts.evaluate_every_minutes``.
    """
    from workers.alerts.engine import run_alerts  # imported here: the alerts stage is optional for ingest

    run = run_alerts(runtime.get_settings(), runtime.get_store(), entity_ids=entity_ids)
    logger.info("alert evaluation finished: %s", run)


@starwatch_task(name=SEND_ALERT_EMAILS_TASK, queue=EMAIL_QUEUE)
def send_alert_emails() -> dict[str, Any]:
    """Send every alert email that is due, exactly once each (``workers.alerts.delivery``)."""
    from workers.alerts.delivery import deliver_due

    report = deliver_due(runtime.get_settings(), runtime.get_store())
    for error in report.errors:
        logger.warning("alert email: %s", error)
    return {"sent": len(report.sent), "retrying": len(report.retrying), "failed": len(report.failed)}


@starwatch_task(name=ASSESS_AUTHENTICITY_TASK, queue=ANALYSIS_QUEUE)
def assess_authenticity(entity_ids: list[str] | None = None) -> dict[str, Any]:
    """Re-run the authenticity tests (report cards, campaigns, review flags) for the entities.

    Run by beat every hour over every entity (``workers.celery_app.ASSESS_AUTHENTICITY_EVERY``).
    """
    from workers.authenticity.assess import assess_entities

    assessment = assess_entities(runtime.get_settings(), runtime.get_store(), entity_ids)
    return {"entities": len(assessment.entity_ids), "campaigns": len(assessment.campaigns),
            "reviews_updated": assessment.reviews_updated}


@starwatch_task(name=CRAWL_SOURCE_TASK, queue=CRAWL_QUEUE)
def crawl_source(source_id: str, backfill: bool | None = None) -> dict[str, Any]:
    """Crawl one source now, in a child process (Twisted's reactor never restarts in a worker).

    Beat sends one per source at its ``interval_minutes``; the crawl hands its batches to the
    ``ingest`` queue like any other. Keep ``tasks.visibility_timeout_seconds`` above the longest
    crawl, or Redis hands a still-running crawl to a second worker.
    """
    from crawlers.scheduling import crawl_source_now

    return crawl_source_now(runtime.get_settings(), runtime.get_store(), source_id, backfill)

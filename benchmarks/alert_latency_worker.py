"""Celery entry point for ``alert_latency.py``: the production app, plus alert evaluation after ingest.

``workers/tasks.py`` (owned by the workers stage) does not call ``after_ingest`` yet, so the
benchmark wires it here, benchmark-locally, exactly as the tasks module is meant to: when a
``starwatch.ingest_batch`` task has stored its batch, evaluate the rules of the entities it
touched, then send the due emails. Start it with ``celery -A alert_latency_worker worker``
from this directory (the benchmark does).
"""

from celery import signals

from workers import runtime
from workers.alerts.delivery import deliver_due
from workers.alerts.triggers import after_ingest, entity_ids_of
from workers.celery_app import INGEST_TASK, app  # noqa: F401 - the app ``celery -A`` loads


@signals.task_postrun.connect
def _alerts_after_ingest(task=None, args=None, state=None, **_):
    if task is None or task.name != INGEST_TASK or state != "SUCCESS" or not args:
        return
    settings, store = runtime.get_settings(), runtime.get_store()
    run = after_ingest(settings, store, entity_ids_of(args[0]))
    if run.deliveries_recorded:
        deliver_due(settings, store)

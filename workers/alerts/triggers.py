"""Evaluate the alert rules right after an ingest batch, for the entities it touched.

The ingest task (``workers/tasks.py``, owned by the workers stage) calls ``after_ingest`` once
the batch is stored; emails are then sent by ``delivery.deliver_due``, in the same task or,
better, in a task on the ``email`` queue so a slow SMTP server never holds back ingestion::

    from workers.alerts.triggers import after_ingest, entity_ids_of
    from workers.alerts.delivery import deliver_due

    run = after_ingest(settings, store, entity_ids_of(batch))
    if run.deliveries_recorded:
        send_alert_emails.delay()        # starwatch.send_alert_emails → deliver_due(settings, store)

The store is refreshed first (on Elasticsearch a batch is searchable only after a refresh).
Only the rules of those entities are evaluated, so a review reaches its alert within seconds of
being stored rather than at the next scheduled pass. A pass restricted to some entities never
does a first-run backfill or digests: the scheduled full pass (``run_alerts``) does. Errors are
collected in ``AlertRun.errors``, never raised: a failing rule must not fail the ingest task
(the data is stored; the next pass evaluates it again).

Reads all of ``settings.alerts`` through the engine.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from search.backends.base import StoreError
from workers.alerts.engine import AlertRun, evaluate_alerts

if TYPE_CHECKING:
    from config.settings import Settings
    from search.backends.base import ReviewStore

log = logging.getLogger(__name__)


def after_ingest(settings: "Settings", store: "ReviewStore", entity_ids: Iterable[str],
                 now: datetime | None = None) -> AlertRun:
    """Evaluate every rule for ``entity_ids`` and record incidents and emails (nothing is sent here).

    Unknown entity ids (a record for an entity removed from the config) are reported in
    ``errors`` and skipped; an empty list does nothing.
    """
    wanted = list(dict.fromkeys(entity_ids))
    if not wanted:
        return AlertRun()
    known = {e.id for e in settings.entities}
    try:
        store.refresh()  # Elasticsearch: make the batch just written visible to the rules' reads
    except StoreError as exc:
        run = AlertRun(errors=[f"alert evaluation after ingest skipped: {exc}"])
        log.warning("%s", run.errors[0])
        return run
    run = evaluate_alerts(settings, store, now=now, entity_ids=[e for e in wanted if e in known])
    run.errors.extend(f"entity {e!r} of the ingested batch is not configured; no rule watches it"
                      for e in wanted if e not in known)
    if run.errors:
        log.warning("alert evaluation after ingest: %s", "; ".join(run.errors))
    return run


def entity_ids_of(batch: Any) -> list[str]:
    """The entity ids of an ingest batch (``{"reviews": [...], "mentions": [...], "snapshots": [...]}``)."""
    found: list[str] = []
    if isinstance(batch, Mapping):
        for records in batch.values():
            for record in records if isinstance(records, list) else ():
                entity_id = record.get("entity_id") if isinstance(record, Mapping) else getattr(record, "entity_id", None)
                if isinstance(entity_id, str) and entity_id not in found:
                    found.append(entity_id)
    return found

"""Evaluate the alert rules now and send their emails: the on-demand twin of the beat task."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from config import Settings
from starwatch.capabilities.stores import open_store


def run_alert_rules(settings: Settings, *, now: datetime | None = None,
                    entity_ids: Sequence[str] | None = None):
    """Run every configured rule over the store; returns the engine's ``AlertRun``.

    Incidents already open are not emailed again, so running this twice sends nothing new.
    """
    from workers.alerts.engine import run_alerts

    for entity_id in entity_ids or ():
        settings.entity(entity_id)
    with open_store(settings) as store:
        return run_alerts(settings, store, now=now, entity_ids=list(entity_ids) if entity_ids else None)

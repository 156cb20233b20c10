"""Alerting: evaluate rules against the store, keep incidents, email the people who care, once.

- ``rules/``: rule types (``RULE_TYPES``) and their options (``rules/options.py``), pure
  decisions from grouped store reads;
- ``loader``: inline rules and rule files, validated against ``config/rules.schema.json``;
- ``lifecycle``: open, update, remind, resolve: one pure function;
- ``engine.run_alerts`` / ``engine.evaluate_alerts``: one pass over every rule and entity;
- ``triggers.after_ingest``: the same, right after an ingest batch, for the entities it touched;
- ``outbox``, ``digest``: who gets which email (caps, overflow summaries, digests);
- ``email``, ``explain``, ``formatting``: Jinja2 rendering (``templates/<language>/``);
- ``delivery.deliver_due``: claim, send (``smtp.send_message``), confirm: one email per event;
- ``backfill``: replay the past into historical incidents, never emailed.

Alerts read from the store and never from crawler or worker internals (data flows one way).
Import the submodules directly (``from workers.alerts.engine import run_alerts``); this package
file stays empty so importing one piece does not load the others.
"""

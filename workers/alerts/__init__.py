"""Alerting: evaluate rules against the store, keep incidents, email the people who care.

- ``rules/``: rule types (``RULE_TYPES``), pure decisions from store statistics;
- ``engine.run_alerts``: one evaluation pass, the incident lifecycle, and who gets an email;
- ``email``: Jinja2 rendering (``templates/<language>/``) into a multipart message;
- ``smtp.send_message``: delivery with retries.

Alerts read from the store and never from crawler or worker internals (data flows one way).
Import the submodules directly (``from workers.alerts.engine import run_alerts``); this package
file stays empty so importing one piece does not load the others.
"""

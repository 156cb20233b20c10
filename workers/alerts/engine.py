"""One evaluation pass: every rule, every watched entity, the incident lifecycle, and the emails to record.

``evaluate_alerts`` evaluates and records (incidents, and emails in the delivery log) without
sending anything; ``run_alerts`` does the same, records the digests that are due, and then sends
what is due through ``delivery.deliver_due``. ``triggers.after_ingest`` uses the first one for
the entities a batch touched.

Store traffic of a pass does not grow with the number of entities: one read of the open
incidents, the rules' grouped reads (``rules/``), one ``latest_incidents`` read per rule that
opens something, then one bulk write of deliveries and one of incidents. Explaining an email
(quotes, competitors, chart) costs a few reads per email, and emails are capped.

What it guarantees, and where:

- fire once, resolve after a quiet period, realert, cooldown: ``lifecycle.advance``;
- exactly one email per incident event: deliveries are keyed by event and recipient and written
  *before* the incident (a crash in between re-derives the same ids on the next pass), then sent
  with claim/confirm (``delivery``);
- never a flood: at most ``alerts.max_emails_per_run`` emails per recipient and pass; the rest
  become one overflow summary per recipient (``_Outbox``);
- the past is never emailed: a rule's first run backfills ``alerts.backfill_days`` of history as
  historical incidents (``backfill``), event rules ignore reviews older than ``max_age_hours``.

Reads ``settings.alerts`` (rules, rule files, operators, caps, digests, backfill_days,
search_base_url), ``settings.entities`` and ``settings.groups`` (names, languages, recipients),
and ``settings.smtp`` (sender, and the default SMTP sender).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from typing import Callable, Sequence

from config.settings import ConfigError, Settings
from search.backends.base import ReviewStore, StoreError
from search.documents import Incident, utcnow
from workers.alerts import delivery, digest
from workers.alerts.backfill import backfill_alerts
from workers.alerts.lifecycle import Policy, Step, advance
from workers.alerts.loader import load_rules
from workers.alerts.outbox import Outbox, PendingEvent
from workers.alerts.rules import RuleType
from workers.alerts.rules.base import entity_index

log = logging.getLogger(__name__)

Sender = Callable[[EmailMessage], None]
FIRST_RUN_MARK = "first-run:{rule_id}"
RULE_THREADS = 4


@dataclass(frozen=True)
class FiredIncident:
    """An incident opened in this pass: its headline and, once sent, the first email's Message-ID.

    ``message_id`` is None when the entity has no recipients, when the email waits (cooldown,
    digest) or when delivery failed (the reason is in ``AlertRun.errors``; it is retried).
    """

    incident: Incident
    message_id: str | None
    recipients: tuple[str, ...] = ()
    subject: str = ""


@dataclass
class AlertRun:
    """What one pass did, for logs, the CLI and tests."""

    evaluated: int = 0
    fired: list[FiredIncident] = field(default_factory=list)
    resolved: list[Incident] = field(default_factory=list)
    updated: list[Incident] = field(default_factory=list)
    historical: int = 0
    deliveries_recorded: int = 0
    emails_sent: int = 0
    errors: list[str] = field(default_factory=list)


def run_alerts(
    settings: Settings,
    store: ReviewStore,
    *,
    now: datetime | None = None,
    entity_ids: Sequence[str] | None = None,
    sender: Sender | None = None,
    rules: Sequence[RuleType] | None = None,
) -> AlertRun:
    """Evaluate the rules, record digests that are due, and send every due email.

    :param settings: the loaded settings (rules, entities, groups, smtp, alerts).
    :param store: any ``ReviewStore``; it holds reviews, incidents and the delivery log.
    :param now: evaluation time (aware; naive is taken as UTC); default: the current time.
    :param entity_ids: restrict the pass to these entities (no first-run backfill, no digests).
    :param sender: delivers an ``EmailMessage``; default ``smtp.send_message`` with ``settings.smtp``.
    :param rules: rules to use instead of loading them from the settings (``test-rule``, tests).

    Example::

        run = run_alerts(settings, get_store(settings))
        for fired in run.fired:
            print(fired.subject, fired.message_id)
    """
    now = _aware(now) if now else utcnow()
    run = evaluate_alerts(settings, store, now=now, entity_ids=entity_ids, rules=rules, first_run_backfill=True)
    if entity_ids is None:
        try:
            run.deliveries_recorded += digest.record_due_digests(settings, store, now)
        except StoreError as exc:
            run.errors.append(f"digests not recorded: {exc}")
    report = delivery.deliver_due(settings, store, now=now, sender=sender)
    run.emails_sent = len(report.sent)
    run.errors.extend(report.errors)
    first_sent = {}
    for sent in report.sent:
        if sent.event == "opened" and sent.incident_id:
            first_sent.setdefault(sent.incident_id, sent.message_id)
    run.fired = [FiredIncident(f.incident, first_sent.get(f.incident.incident_id), f.recipients, f.subject)
                 for f in run.fired]
    return run


def evaluate_alerts(
    settings: Settings,
    store: ReviewStore,
    *,
    now: datetime | None = None,
    entity_ids: Sequence[str] | None = None,
    rules: Sequence[RuleType] | None = None,
    first_run_backfill: bool = False,
) -> AlertRun:
    """Evaluate and record incidents and emails (nothing is sent); see the module docstring."""
    now = _aware(now) if now else utcnow()
    run = AlertRun()
    try:
        rules = list(rules) if rules is not None else load_rules(settings)
    except ConfigError as exc:
        run.errors.append(str(exc))
        return run
    if first_run_backfill and entity_ids is None:
        _first_runs(settings, store, rules, now, run)
    alert_pass = _AlertPass(settings, store, now, run)
    alert_pass.run(rules, entity_ids)
    return run


def _first_runs(settings: Settings, store: ReviewStore, rules: Sequence[RuleType], now: datetime, run: AlertRun) -> None:
    """Rules never run before record ``alerts.backfill_days`` of history as historical incidents."""
    try:
        marks = store.get_alert_marks()
        fresh = [r for r in rules if FIRST_RUN_MARK.format(rule_id=r.rule_id) not in marks]
        if fresh and settings.alerts.backfill_days:
            since = now - timedelta(days=settings.alerts.backfill_days)
            run.historical += backfill_alerts(settings, store, since=since, until=now, rules=fresh).recorded
        for rule in fresh:
            store.set_alert_mark(FIRST_RUN_MARK.format(rule_id=rule.rule_id), now)
    except StoreError as exc:
        run.errors.append(f"first-run backfill skipped: {exc}")


@dataclass
class _AlertPass:
    """The state of one pass, so helpers do not pass six arguments around."""

    settings: Settings
    store: ReviewStore
    now: datetime
    result: AlertRun
    open_by_key: dict[tuple[str, str], Incident] = field(default_factory=dict)
    steps: list[tuple[RuleType, Step]] = field(default_factory=list)

    def run(self, rules: Sequence[RuleType], entity_ids: Sequence[str] | None) -> None:
        try:
            self.open_by_key = {(i.rule_id, i.entity_id): i for i in self.store.list_incidents("open")}
        except StoreError as exc:
            self.result.errors.append(f"cannot read open incidents: {exc}")
            return
        # Rules only read while they evaluate, so they run side by side (SQLite and the
        # Elasticsearch client both release the GIL while they wait); the lifecycle is then
        # applied in rule order, in this thread.
        with ThreadPoolExecutor(max_workers=max(1, min(RULE_THREADS, len(rules)))) as pool:
            readings = list(pool.map(lambda rule: self.read_rule(rule, entity_ids), rules))
        for rule, reading in zip(rules, readings):
            if reading is not None:
                self.apply_rule(rule, *reading)
        outbox = Outbox(self.settings, self.store, self.now)
        for rule, step in self.steps:
            if step.event or (step.incident is not None and step.incident.status == "resolved"):
                outbox.add(PendingEvent(rule, step))  # a quiet resolution may still cancel a deferred email
        try:
            deliveries, incidents = outbox.finish([step.incident for _, step in self.steps if step.incident])
            self.result.deliveries_recorded += len(self.store.add_deliveries(deliveries))
            self.store.save_incidents(incidents)
        except StoreError as exc:
            self.result.errors.append(f"incidents and emails of this pass not recorded (retried next pass): {exc}")
            return
        self.result.errors.extend(outbox.errors)
        self._report(incidents, outbox)

    def read_rule(self, rule: RuleType, entity_ids: Sequence[str] | None):
        """The rule's evaluations and the latest incidents of the entities it would open; None on error."""
        try:
            evaluations = rule.evaluate(self.store, self._targets(rule, entity_ids), self.now)
            openings = [e.entity_id for e in evaluations
                        if e.outcome == "match" and (rule.rule_id, e.entity_id) not in self.open_by_key]
            latest = self.store.latest_incidents(rule.rule_id, openings) if openings else {}
        except StoreError as exc:
            self.result.errors.append(f"rule {rule.rule_id!r}: cannot read the store: {exc}")
            return None
        except ValueError as exc:
            self.result.errors.append(f"rule {rule.rule_id!r}: {exc}")
            return None
        return evaluations, latest

    def apply_rule(self, rule: RuleType, evaluations: list, latest: dict[str, Incident]) -> None:
        for evaluation in evaluations:
            self.result.evaluated += 1
            policy = Policy.of(rule.options_for(evaluation.entity_id), rule.event_based, rule.audience)
            key = (rule.rule_id, evaluation.entity_id)
            previous = latest.get(evaluation.entity_id)
            # Opened by another worker since we listed the open incidents (or beyond the list's
            # size limit): continue that incident rather than open a second one.
            current = self.open_by_key.get(key) or (previous if previous and previous.status == "open" else None)
            step = advance(current, evaluation, policy, self.now, latest=previous)
            if step.incident is not None or step.event is not None:
                self.steps.append((rule, step))

    def _targets(self, rule: RuleType, entity_ids: Sequence[str] | None) -> list[str]:
        watched = rule.entity_ids(self.settings)
        if entity_ids is None:
            return watched
        known = entity_index(self.settings).by_id
        for entity_id in entity_ids:
            if entity_id not in known:
                try:
                    self.settings.entity(entity_id)
                except ConfigError as exc:
                    self.result.errors.append(f"rule {rule.rule_id!r}: {exc}")
        wanted = set(entity_ids)
        return [entity_id for entity_id in watched if entity_id in wanted]

    def _report(self, incidents: list[Incident], outbox: Outbox) -> None:
        saved = {i.incident_id: i for i in incidents}
        for rule, step in self.steps:
            incident = saved.get(step.incident.incident_id) if step.incident else None
            if incident is None:
                continue
            if step.event == "opened":
                recipients, subject = outbox.summary_of(incident.incident_id)
                self.result.fired.append(FiredIncident(incident, None, recipients, subject))
                log.info("alert %s opened: %s", incident.incident_id, incident.summary)
            elif step.event in ("update", "reminder"):
                self.result.updated.append(incident)
            elif incident.status == "resolved":
                self.result.resolved.append(incident)
                log.info("alert %s resolved", incident.incident_id)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)

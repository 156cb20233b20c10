"""Evaluate every alert rule, keep one incident per (rule, entity), email when one opens.

Reads ``settings.alerts.rules`` (which rules, see ``rules/``), ``settings.entities`` (names,
language, recipients, competitor group), ``settings.groups`` (group names) and, through the
default sender, ``settings.smtp``.

The lifecycle is deliberately small, and lives here rather than in rules so that every rule type
shares it:

- a match with no open incident opens one (``store.save_incident``) and sends ONE email;
- while the condition holds the open incident is left alone: it fires once, not every run;
- a ``clear`` evaluation resolves the open incident (no email yet); an ``insufficient`` one
  (too few reviews to say) keeps it open;
- the incident is saved *before* the email is sent, so a crash never loses it; an open incident
  whose email did not go out (``notified_at`` unset) is sent again on the next run.

Errors for one rule or entity (store down, SMTP refusing, a bad address) are collected in
``AlertRun.errors`` and do not stop the other entities.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from functools import partial
from typing import Callable, Sequence

from config.settings import ConfigError, Settings
from search.backends.base import ReviewStore, StoreError
from search.documents import Entity, Incident, utcnow
from workers.alerts.email import RenderedEmail, UnsafeHeaderError, build_message, render_alert
from workers.alerts.rules import RuleType, build_rule
from workers.alerts.rules.base import Evaluation, RuleMatch
from workers.alerts.smtp import DeliveryError, send_message

log = logging.getLogger(__name__)

Sender = Callable[[EmailMessage], None]


@dataclass(frozen=True)
class FiredIncident:
    """An incident whose alert was due in this run: the email's Message-ID, recipients and subject.

    ``message_id`` is None when the entity has no recipients, or when delivery failed (the
    reason is in ``AlertRun.errors`` and the next run tries again).
    """

    incident: Incident
    message_id: str | None
    recipients: tuple[str, ...] = ()
    subject: str = ""


@dataclass
class AlertRun:
    """What one evaluation pass did, for logs, the CLI and tests."""

    evaluated: int = 0
    fired: list[FiredIncident] = field(default_factory=list)
    resolved: list[Incident] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def run_alerts(
    settings: Settings,
    store: ReviewStore,
    *,
    now: datetime | None = None,
    entity_ids: Sequence[str] | None = None,
    sender: Sender | None = None,
) -> AlertRun:
    """Evaluate all configured rules once.

    :param settings: the loaded settings (rules, entities, groups, smtp).
    :param store: any ``ReviewStore``; it holds the reviews and the incidents.
    :param now: evaluation time (aware; naive is taken as UTC); default: the current time.
    :param entity_ids: restrict this pass to these entities (e.g. just after ingesting them).
    :param sender: callable that delivers an ``EmailMessage``; default ``send_message`` with
        ``settings.smtp``.

    Example::

        settings = load_settings()
        run = run_alerts(settings, get_store(settings))
        for fired in run.fired:
            print(fired.subject, fired.message_id)
    """
    alert_pass = _AlertPass(
        settings=settings,
        store=store,
        now=_aware(now) if now else utcnow(),
        send=sender or partial(send_message, smtp_settings=settings.smtp),
    )
    for options in settings.alerts.rules:
        alert_pass.run_rule(build_rule(options), entity_ids)
    return alert_pass.result


@dataclass
class _AlertPass:
    """The state of one ``run_alerts`` call, so helpers do not pass six arguments around."""

    settings: Settings
    store: ReviewStore
    now: datetime
    send: Sender
    result: AlertRun = field(default_factory=AlertRun)

    def run_rule(self, rule: RuleType, entity_ids: Sequence[str] | None) -> None:
        try:
            evaluations = rule.evaluate(self.store, self._targets(rule, entity_ids), self.now)
        except StoreError as exc:
            self.result.errors.append(f"rule {rule.rule_id!r}: cannot read rating statistics: {exc}")
            return
        for evaluation in evaluations:
            self.result.evaluated += 1
            try:
                self.apply(evaluation, rule)
            except StoreError as exc:
                self.result.errors.append(
                    f"rule {rule.rule_id!r}, entity {evaluation.entity_id!r}: store error: {exc}"
                )

    def _targets(self, rule: RuleType, entity_ids: Sequence[str] | None) -> list[str]:
        watched = rule.entity_ids(self.settings)
        if entity_ids is None:
            return watched
        for entity_id in entity_ids:
            try:
                self.settings.entity(entity_id)
            except ConfigError as exc:
                self.result.errors.append(f"rule {rule.rule_id!r}: {exc}")
        return [entity_id for entity_id in watched if entity_id in entity_ids]

    def apply(self, evaluation: Evaluation, rule: RuleType) -> None:
        """Move the (rule, entity) incident along according to one evaluation."""
        open_incident = self.store.get_open_incident(evaluation.rule_id, evaluation.entity_id)
        match = evaluation.match
        if evaluation.outcome == "match" and match is not None:
            if open_incident is None:
                incident = _new_incident(match, self.now)
                self.store.save_incident(incident)
                log.info("alert %s opened: %s", incident.incident_id, incident.summary)
                self.result.fired.append(self.notify(incident, match, rule))
            elif open_incident.notified_at is None and self.settings.entity(match.entity_id).recipients:
                self.result.fired.append(self.notify(open_incident, match, rule))
        elif evaluation.outcome == "clear" and open_incident is not None:
            resolved = open_incident.model_copy(update={"status": "resolved", "resolved_at": self.now})
            self.store.save_incident(resolved)
            log.info("alert %s resolved: %s", resolved.incident_id, evaluation.reason)
            self.result.resolved.append(resolved)

    def notify(self, incident: Incident, match: RuleMatch, rule: RuleType) -> FiredIncident:
        """Email the entity's recipients about ``incident``; record the Message-ID on success."""
        entity = self.settings.entity(incident.entity_id)
        recipients = tuple(str(address) for address in entity.recipients)
        rendered = self.render(match, rule, entity)  # also without recipients: the subject is the report
        if not recipients:
            log.info("alert %s: %s has no recipients; incident recorded only", incident.incident_id, entity.id)
            return FiredIncident(incident, None, (), rendered.subject)
        try:
            message = build_message(
                rendered, sender=self.settings.smtp.sender, recipients=recipients, date=self.now,
                extra_headers={
                    "X-Starwatch-Rule": incident.rule_id,
                    "X-Starwatch-Entity": incident.entity_id,
                    "X-Starwatch-Incident": incident.incident_id,
                },
            )
            self.send(message)
        except (DeliveryError, UnsafeHeaderError) as exc:
            self.result.errors.append(f"alert {incident.incident_id} for entity {entity.id!r} not sent: {exc}")
            return FiredIncident(incident, None, recipients, rendered.subject)
        message_id = message["Message-ID"]
        notified = incident.model_copy(
            update={"notified_at": self.now, "details": {**incident.details, "message_id": message_id}}
        )
        self.store.save_incident(notified)
        return FiredIncident(notified, message_id, recipients, rendered.subject)

    def render(self, match: RuleMatch, rule: RuleType, entity: Entity) -> RenderedEmail:
        group_name = self.settings.group_name(entity.group) if entity.group else None
        explanation = rule.explain(self.settings, self.store, match)
        return render_alert(match, entity, explanation, group_name=group_name)


def _new_incident(match: RuleMatch, now: datetime) -> Incident:
    key = Incident.key(match.rule_id, match.entity_id)
    digest = hashlib.sha1(f"{key}\x1f{now.isoformat()}".encode("utf-8")).hexdigest()[:24]
    return Incident(
        incident_id="i_" + digest,
        rule_id=match.rule_id,
        rule_type=match.rule_type,
        entity_id=match.entity_id,
        opened_at=now,
        summary=match.summary(),
        details=match.details(),
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)

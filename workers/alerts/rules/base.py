"""The interface every alert rule type implements, and the values rules hand to the engine.

A rule type is a small class (ElastAlert's ``ruletypes.py`` idea): it is built from its typed
options (``rules.options``), reads what it needs from the store in a fixed number of grouped
queries, and returns one ``Evaluation`` per entity. The engine (``engine.py``) and the lifecycle
(``lifecycle.py``) own everything stateful: incidents, "fire once", resolution, email.

Two kinds of rules share that lifecycle:

- window rules describe the state of windows ending *now* (a rating drop, a spike); their
  evidence is the evaluation itself;
- event rules (``event_based = True``) report reviews: their matches carry the review ids, and a
  new review on an open incident is an update worth an email, an old one is not.

Per-entity and per-group ``overrides`` are resolved here: ``evaluate`` splits the entities by
their effective options and queries once per distinct option set (a handful, never per entity).
Reads no settings itself; subclasses that need the entities or groups get them as ``settings``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Sequence

from workers.alerts.rules.options import RuleOptions

if TYPE_CHECKING:
    from config.settings import Settings
    from search.backends.base import ReviewStore

Outcome = Literal["match", "clear", "insufficient"]
Audience = Literal["customers", "operators"]


@dataclass(frozen=True)
class Window:
    """A half-open time window ``[start, end)``, the same convention as ``rating_stats``."""

    start: datetime
    end: datetime

    @classmethod
    def ending_at(cls, end: datetime, days: float) -> "Window":
        return cls(start=end - timedelta(days=days), end=end)

    @property
    def days(self) -> float:
        return (self.end - self.start) / timedelta(days=1)

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class RuleMatch:
    """One entity meeting one rule's condition at ``evaluated_at``; subclasses add the figures.

    ``evidence_ids``: the reviews that make the match (event rules), so an update email only
    quotes what is new. ``evidence_at``: when the newest evidence happened (default: now).
    """

    rule_id: str
    rule_type: str
    entity_id: str
    evaluated_at: datetime
    evidence_ids: tuple[str, ...] = field(default=(), kw_only=True)

    def summary(self) -> str:
        """One plain-English line for logs, the CLI and ``Incident.summary`` (emails use templates)."""
        return f"{self.rule_type} matched for {self.entity_id}"

    def details(self) -> dict[str, Any]:
        """JSON-ready figures kept on the incident, so an old alert can be explained later."""
        return {"evaluated_at": self.evaluated_at.isoformat()}


@dataclass(frozen=True)
class Evaluation:
    """What a rule concluded for one entity.

    ``insufficient`` is distinct from ``clear`` on purpose: a week with two reviews neither
    confirms a drop nor proves a recovery, so it must not resolve an open incident.
    """

    rule_id: str
    entity_id: str
    outcome: Outcome
    reason: str
    match: RuleMatch | None = None


@dataclass(frozen=True)
class Recipient:
    """Who receives an alert, in which language, and as what: the entity's own team (``self``),
    a competitor's team (``competitor``, e.g. a rival's review campaign) or an ``operator``."""

    address: str
    language: str
    role: Literal["self", "competitor", "operator"] = "self"


class RuleType(ABC):
    """Base class of rule types; register subclasses in ``rules.RULE_TYPES`` under ``type_name``.

    :param options: the rule's options (an instance of ``options_model``, or any object with the
        same attributes, e.g. an inline ``alerts.rules`` entry of ``config.settings``).
    :param settings: the loaded settings, for rules that read entities, sources or groups.
    :param overrides: effective options per entity id, for entities with an override.
    """

    type_name: ClassVar[str]
    options_model: ClassVar[type[RuleOptions]]
    audience: ClassVar[Audience] = "customers"
    event_based: ClassVar[bool] = False
    supports_backfill: ClassVar[bool] = True

    def __init__(self, options: Any, settings: "Settings | None" = None,
                 overrides: dict[str, RuleOptions] | None = None) -> None:
        if not isinstance(options, self.options_model):
            fields = options.model_dump() if hasattr(options, "model_dump") else dict(vars(options))
            options = self.options_model.model_validate(fields)
        self.options = options
        self.settings = settings
        self.overrides = overrides or {}

    @property
    def rule_id(self) -> str:
        return self.options.id

    def options_for(self, entity_id: str) -> Any:
        return self.overrides.get(entity_id, self.options)

    def entity_ids(self, settings: "Settings") -> list[str]:
        """The entities this rule watches, in configuration order (``entities`` and ``groups``)."""
        wanted, groups = self.options.entities, self.options.groups
        if wanted is None and groups is None:
            return [e.id for e in settings.entities]
        wanted_ids, wanted_groups = set(wanted or ()), set(groups or ())
        return [e.id for e in settings.entities if e.id in wanted_ids or e.group in wanted_groups]

    def evaluate(self, store: "ReviewStore", entity_ids: Sequence[str], now: datetime) -> list[Evaluation]:
        """One ``Evaluation`` per requested entity, in the same order; one query set per option set."""
        partitions: dict[int, tuple[Any, list[str]]] = {}
        for entity_id in entity_ids:
            options = self.options_for(entity_id)
            partitions.setdefault(id(options), (options, []))[1].append(entity_id)
        by_entity: dict[str, Evaluation] = {}
        for options, members in partitions.values():
            for evaluation in self.evaluate_with(store, options, members, now):
                by_entity[evaluation.entity_id] = evaluation
        return [by_entity[entity_id] for entity_id in entity_ids]

    @abstractmethod
    def evaluate_with(
        self, store: "ReviewStore", options: Any, entity_ids: Sequence[str], now: datetime
    ) -> list[Evaluation]:
        """Evaluations for entities that share ``options`` (one per entity, any order)."""

    @abstractmethod
    def explain(self, settings: "Settings", store: "ReviewStore", match: RuleMatch) -> dict[str, Any]:
        """Template variables that say *why* the rule matched (quotes, aspects, competitors...)."""

    def recipients(self, settings: "Settings", match: RuleMatch) -> list[Recipient]:
        """Everyone to tell about ``match``: the entity's recipients, or the operators."""
        if self.audience == "operators":
            language = settings.alerts.operators_language
            return [Recipient(str(address), language, "operator") for address in settings.alerts.operators]
        entity = entity_index(settings).by_id.get(match.entity_id) or settings.entity(match.entity_id)
        return [Recipient(str(address), entity.language) for address in entity.recipients]


@dataclass(frozen=True)
class EntityIndex:
    """Entities by id and group members by group: ``settings.entity`` scans a list, which is fine
    for one lookup and quadratic for 10,000 entities times every rule."""

    by_id: dict[str, Any]
    members: dict[str, list[Any]]


_INDEXES: dict[int, tuple[Any, EntityIndex]] = {}


def entity_index(settings: "Settings") -> EntityIndex:
    """The index of ``settings`` (built once per settings object, a handful kept)."""
    cached = _INDEXES.get(id(settings))
    if cached is not None and cached[0] is settings:
        return cached[1]
    members: dict[str, list[Any]] = {}
    for entity in settings.entities:
        if entity.group:
            members.setdefault(entity.group, []).append(entity)
    index = EntityIndex({e.id: e for e in settings.entities}, members)
    if len(_INDEXES) > 8:
        _INDEXES.clear()
    _INDEXES[id(settings)] = (settings, index)  # the reference keeps the id from being reused
    return index


def insufficient(options: Any, entity_id: str, reason: str) -> Evaluation:
    return Evaluation(options.id, entity_id, "insufficient", reason)


def clear(options: Any, entity_id: str, reason: str) -> Evaluation:
    return Evaluation(options.id, entity_id, "clear", reason)


def matched(match: RuleMatch) -> Evaluation:
    return Evaluation(match.rule_id, match.entity_id, "match", match.summary(), match)

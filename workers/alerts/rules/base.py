"""The interface every alert rule type implements, and the values rules hand to the engine.

A rule type is a small class (ElastAlert's ``ruletypes.py`` idea): it is built from its typed
options (one entry of ``settings.alerts.rules``), reads what it needs from the store in as few
queries as possible, and returns one ``Evaluation`` per entity. The engine (``engine.py``) owns
everything stateful: incidents, "fire once", resolution, email. Keeping rules free of that state
is what lets later rule types (negative spike, no new reviews) reuse the same lifecycle.

Reads no settings itself; each subclass documents the options it reads.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Sequence

if TYPE_CHECKING:
    from config.settings import Settings
    from search.backends.base import ReviewStore

Outcome = Literal["match", "clear", "insufficient"]


@dataclass(frozen=True)
class Window:
    """A half-open time window ``[start, end)``, the same convention as ``rating_stats``."""

    start: datetime
    end: datetime

    @classmethod
    def ending_at(cls, end: datetime, days: int) -> "Window":
        return cls(start=end - timedelta(days=days), end=end)

    @property
    def days(self) -> float:
        return (self.end - self.start) / timedelta(days=1)

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class RuleMatch:
    """One entity meeting one rule's condition at ``evaluated_at``; subclasses add the figures."""

    rule_id: str
    rule_type: str
    entity_id: str
    evaluated_at: datetime

    def summary(self) -> str:
        """One plain-English line for logs and ``Incident.summary`` (emails use templates)."""
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


class RuleType(ABC):
    """Base class of rule types; register subclasses in ``rules.RULE_TYPES`` under ``type_name``.

    :param options: the rule's validated options from ``settings.alerts.rules``; must have ``id``,
        ``type`` and ``entities`` (``None`` meaning every configured entity).
    """

    type_name: ClassVar[str]

    def __init__(self, options: Any) -> None:
        self.options = options

    @property
    def rule_id(self) -> str:
        return self.options.id

    def entity_ids(self, settings: "Settings") -> list[str]:
        """The entities this rule watches, in configuration order."""
        wanted = self.options.entities
        return [e.id for e in settings.entities if wanted is None or e.id in wanted]

    @abstractmethod
    def evaluate(
        self, store: "ReviewStore", entity_ids: Sequence[str], now: datetime
    ) -> list[Evaluation]:
        """One ``Evaluation`` per requested entity, in the same order."""

    @abstractmethod
    def explain(self, settings: "Settings", store: "ReviewStore", match: RuleMatch) -> dict[str, Any]:
        """Template variables that say *why* the rule matched (quotes, competitors...)."""

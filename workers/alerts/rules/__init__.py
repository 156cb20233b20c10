"""Alert rule types, resolved by the ``type`` of each rule.

Adding a rule type means one small module here with a ``RuleType`` subclass and its options
model in ``options.py``, one entry in ``RULE_TYPES``, its subject/summary/facts macros in
``workers/alerts/templates/<language>/rules.j2``, an example in ``config/rules/examples/`` and a
regenerated ``config/rules.schema.json`` (``python -m workers.alerts.schema``).
"""

from __future__ import annotations

from typing import Any

from config.settings import ConfigError
from workers.alerts.rules.base import Evaluation, Recipient, RuleMatch, RuleType, Window
from workers.alerts.rules.competitor_overtake import CompetitorOvertakeRule
from workers.alerts.rules.displayed_rating import DisplayedRatingDropRule
from workers.alerts.rules.events import AuthenticityCampaignRule, IntegrityComplaintRule, NewNegativeReviewRule
from workers.alerts.rules.rating_drop import RatingDropMatch, RatingDropRule
from workers.alerts.rules.sentiment_drop import SentimentDropRule
from workers.alerts.rules.source_silent import SourceSilentRule
from workers.alerts.rules.spikes import NegativeSpikeRule, VolumeSpikeRule

RULE_TYPES: dict[str, type[RuleType]] = {
    rule.type_name: rule
    for rule in (
        RatingDropRule, DisplayedRatingDropRule, NewNegativeReviewRule, NegativeSpikeRule, VolumeSpikeRule,
        SentimentDropRule, IntegrityComplaintRule, AuthenticityCampaignRule, CompetitorOvertakeRule,
        SourceSilentRule,
    )
}


def build_rule(options: Any, settings: Any = None, overrides: dict | None = None) -> RuleType:
    """The rule object for one rule's options; ``ConfigError`` names the known types.

    Example::

        rule = build_rule(settings.alerts.rules[0], settings)
        evaluations = rule.evaluate(store, rule.entity_ids(settings), now)
    """
    rule_class = RULE_TYPES.get(options.type)
    if rule_class is None:
        known = ", ".join(sorted(RULE_TYPES))
        raise ConfigError(f"alert rule {options.id!r} has unknown type {options.type!r}; use one of: {known}")
    return rule_class(options, settings, overrides)


__all__ = [
    "RULE_TYPES",
    "Evaluation",
    "RatingDropMatch",
    "RatingDropRule",
    "Recipient",
    "RuleMatch",
    "RuleType",
    "Window",
    "build_rule",
]

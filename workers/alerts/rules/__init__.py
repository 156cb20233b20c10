"""Alert rule types, resolved by the ``type`` of each ``settings.alerts.rules`` entry.

Adding a rule type means one small module here with a ``RuleType`` subclass, one entry in
``RULE_TYPES`` and its email templates under ``workers/alerts/templates/<language>/``.
"""

from __future__ import annotations

from typing import Any

from config.settings import ConfigError
from workers.alerts.rules.base import Evaluation, RuleMatch, RuleType, Window
from workers.alerts.rules.rating_drop import RatingDropMatch, RatingDropRule

RULE_TYPES: dict[str, type[RuleType]] = {
    RatingDropRule.type_name: RatingDropRule,
}


def build_rule(options: Any) -> RuleType:
    """The rule object for one configured rule; ``ConfigError`` names the known types.

    Example::

        rule = build_rule(settings.alerts.rules[0])
        evaluations = rule.evaluate(store, rule.entity_ids(settings), now)
    """
    rule_class = RULE_TYPES.get(options.type)
    if rule_class is None:
        known = ", ".join(sorted(RULE_TYPES))
        raise ConfigError(f"alert rule {options.id!r} has unknown type {options.type!r}; use one of: {known}")
    return rule_class(options)


__all__ = [
    "RULE_TYPES",
    "Evaluation",
    "RatingDropMatch",
    "RatingDropRule",
    "RuleMatch",
    "RuleType",
    "Window",
    "build_rule",
]

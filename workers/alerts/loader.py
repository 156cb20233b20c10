"""Load every alert rule: the inline ``alerts.rules`` of the settings and the rule files.

Reads ``settings.alerts.rules`` (inline ``rating_drop`` rules, kept for existing configs),
``settings.alerts.rule_files`` (files or glob patterns such as ``config/rules/*.yaml``, relative
to the working directory), and ``settings.entities`` / ``settings.groups`` to check the ids a
rule names and to resolve its overrides.

A rule file holds one rule. It is checked in three steps, and any failure stops the load with
``RuleFileError`` naming the file, the key and the reason (never a half-loaded rule set):

1. YAML syntax (with the line);
2. ``config/rules.schema.json`` (types, bounds, unknown keys), for the file's ``type``;
3. the options model (cross-key checks) and the entity and group ids it names.

Overrides: group overrides apply first (in file order), entity overrides last, so the most
specific value wins; each merged result is validated again.

Example::

    rules = load_rules(load_settings())
    for rule in rules:
        rule.evaluate(store, rule.entity_ids(settings), now)
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import jsonschema
import yaml
from pydantic import ValidationError

from config.settings import ConfigError
from workers.alerts.rules import RULE_TYPES, RuleType, build_rule
from workers.alerts.rules.options import OPTIONS_BY_TYPE, RatingDropOptions, RuleOptions, apply_override
from workers.alerts.schema import load_schema, type_schema

if TYPE_CHECKING:
    from config.settings import Settings


class RuleFileError(ConfigError):
    """A rule file cannot be used; the message names the file, the key and what to change."""


def load_rules(settings: "Settings", *, include_disabled: bool = False) -> list[RuleType]:
    """Every configured rule, inline ones first, then files in sorted path order."""
    rules: list[tuple[str, RuleType]] = []
    for index, inline in enumerate(settings.alerts.rules):
        options = RatingDropOptions.model_validate({**inline.model_dump(), "type": "rating_drop"})
        rules.append((f"settings alerts.rules[{index}]", build_rule(options, settings)))
    for path in rule_paths(settings.alerts.rule_files):
        rules.append((str(path), load_rule_file(path, settings)))
    seen: dict[str, str] = {}
    for origin, rule in rules:
        if rule.rule_id in seen:
            raise RuleFileError(f"{origin}: key 'id': rule id {rule.rule_id!r} is already used by {seen[rule.rule_id]}; "
                                "rule ids must be unique")
        seen[rule.rule_id] = origin
    return [rule for _, rule in rules if include_disabled or rule.options.enabled]


def rule_paths(patterns: Iterable[str]) -> list[Path]:
    """The files ``patterns`` name; a plain path that does not exist is an error, a glob may match none."""
    paths: list[Path] = []
    for pattern in patterns:
        if glob.has_magic(pattern):
            paths.extend(Path(p) for p in sorted(glob.glob(pattern)) if Path(p).is_file())
        elif Path(pattern).is_file():
            paths.append(Path(pattern))
        else:
            raise RuleFileError(f"alert rule file {pattern} (alerts.rule_files) does not exist; fix the path "
                                "or remove it from alerts.rule_files")
    return list(dict.fromkeys(paths))


def load_rule_file(path: Path | str, settings: "Settings") -> RuleType:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(f"{path}: cannot be read ({exc}); check the path in alerts.rule_files") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise RuleFileError(f"{path}{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    return parse_rule(data, str(path), settings)


def parse_rule(data: Any, origin: str, settings: "Settings") -> RuleType:
    """Validate one rule document (already parsed) and build its rule, or raise ``RuleFileError``."""
    options = parse_options(data, origin)
    _check_ids(options, origin, settings)
    return build_rule(options, settings, resolve_overrides(options, origin, settings))


def parse_options(data: Any, origin: str) -> RuleOptions:
    if not isinstance(data, dict):
        raise RuleFileError(f"{origin}: expected one rule (a mapping with id, type and options), "
                            f"got {type(data).__name__}; see config/rules/examples/")
    rule_type = data.get("type")
    if rule_type not in OPTIONS_BY_TYPE:
        known = ", ".join(sorted(RULE_TYPES))
        what = "is missing" if rule_type is None else f"{rule_type!r} is not a rule type"
        raise RuleFileError(f"{origin}: key 'type': {what}; use one of: {known}")
    validator = jsonschema.Draft202012Validator(type_schema(rule_type, load_schema()))
    problems = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if problems:
        raise RuleFileError(_listing(origin, [(_key(e.absolute_path), _reason(e)) for e in problems]))
    try:
        return OPTIONS_BY_TYPE[rule_type].model_validate(data)
    except ValidationError as exc:
        raise RuleFileError(_listing(origin, [(_key(e["loc"]), e["msg"]) for e in exc.errors()])) from None


def _check_ids(options: RuleOptions, origin: str, settings: "Settings") -> None:
    entity_ids = {e.id for e in settings.entities}
    group_ids = {e.group for e in settings.entities if e.group} | {g.id for g in settings.groups}
    places = [("", options.entities, options.groups)]
    places += [(f"overrides[{i}].", o.entities, o.groups) for i, o in enumerate(options.overrides)]
    for prefix, entities, groups in places:
        unknown = sorted(set(entities or ()) - entity_ids)
        if unknown:
            known = ", ".join(sorted(entity_ids)) or "none configured"
            raise RuleFileError(f"{origin}: key '{prefix}entities': unknown entity ids {unknown} (known: {known})")
        unknown = sorted(set(groups or ()) - group_ids)
        if unknown:
            known = ", ".join(sorted(group_ids)) or "none configured"
            raise RuleFileError(f"{origin}: key '{prefix}groups': unknown groups {unknown} (known: {known})")


def resolve_overrides(options: RuleOptions, origin: str, settings: "Settings") -> dict[str, RuleOptions]:
    """Effective options per entity that has an override: groups first, then entities."""
    values: dict[str, dict[str, Any]] = {}
    ordered = [o for o in options.overrides if o.groups] + [o for o in options.overrides if not o.groups]
    for override in ordered:
        fields = {k: v for k, v in override.model_dump(exclude_unset=True).items() if k not in ("entities", "groups")}
        members = set(override.entities or ())
        members |= {e.id for e in settings.entities if e.group in (override.groups or ())}
        for entity_id in members:
            values.setdefault(entity_id, {}).update(fields)
    resolved = {}
    for entity_id, fields in values.items():
        try:
            resolved[entity_id] = apply_override(options, fields)
        except ValidationError as exc:
            reasons = "; ".join(f"{_key(e['loc'])}: {e['msg']}" for e in exc.errors())
            raise RuleFileError(f"{origin}: key 'overrides': the values for entity {entity_id!r} are invalid "
                                f"once merged: {reasons}") from None
    return resolved


def _key(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _reason(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        return f"{error.message}; allowed keys: {', '.join(allowed)}"
    if error.validator in ("anyOf", "oneOf") and error.context:
        specific = [e for e in error.context if e.validator != "type"]
        if specific:
            return specific[0].message
        expected = sorted({str(e.validator_value) for e in error.context})
        return f"{error.instance!r} has the wrong type; expected one of {', '.join(expected)}"
    return error.message


def _listing(origin: str, problems: list[tuple[str, str]]) -> str:
    if len(problems) == 1:
        key, reason = problems[0]
        return f"{origin}: key '{key}': {reason}"
    lines = "\n  ".join(f"key '{key}': {reason}" for key, reason in problems)
    return f"{origin}: {len(problems)} problems:\n  {lines}"

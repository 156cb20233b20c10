"""``config/rules.schema.json``: the JSON Schema of rule files, generated from ``rules.options``.

The options models are the single source of truth; this module turns them into a JSON Schema
(draft 2020-12) that editors can use and that the loader validates every rule file against
before building anything, so a mistake is reported with the file, the key and the reason.
Each rule type's ``overrides`` items are narrowed to that type's own keys.

Regenerate after changing an options model::

    python -m workers.alerts.schema          # rewrites config/rules.schema.json

``tests/workers/test_alert_loader.py`` fails when the committed file is out of date. Reads no settings.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

import config
from workers.alerts.rules.options import OPTIONS_BY_TYPE, AnyRuleOptions, overridable_keys

SCHEMA_PATH = Path(config.__file__).resolve().parent / "rules.schema.json"
SCHEMA_ID = "https://github.com/starwatch-oss/starwatch/config/rules.schema.json"


def rules_schema() -> dict[str, Any]:
    """The schema of one rule file (``oneOf`` the rule types, chosen by ``type``)."""
    schema = TypeAdapter(AnyRuleOptions).json_schema()
    definitions = schema["$defs"]
    for rule_type, model in OPTIONS_BY_TYPE.items():
        definition = definitions[model.__name__]
        properties = definition["properties"]
        override_properties = {
            "entities": copy.deepcopy(properties["entities"]),
            "groups": copy.deepcopy(properties["groups"]),
            **{key: copy.deepcopy(properties[key]) for key in overridable_keys(model)},
        }
        properties["overrides"]["items"] = {
            "type": "object",
            "description": f"values of {rule_type} keys for some entities or groups (entity overrides win)",
            "properties": override_properties,
            "additionalProperties": False,
        }
    definitions.pop("Override", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "starwatch alert rule",
        "description": "One alert rule per file (config/rules/*.yaml); see config/rules/examples/ for every type.",
        **schema,
    }


def type_schema(rule_type: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The part of ``schema`` for one rule type, with the shared definitions it refers to."""
    name = OPTIONS_BY_TYPE[rule_type].__name__
    return {"$schema": schema["$schema"], "$ref": f"#/$defs/{name}", "$defs": schema["$defs"]}


def load_schema() -> dict[str, Any]:
    """The committed schema file (what the loader validates against)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def main() -> None:
    SCHEMA_PATH.write_text(json.dumps(rules_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}", file=sys.stderr)


if __name__ == "__main__":
    main()

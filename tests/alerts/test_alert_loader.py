"""Rule files: the schema is up to date, every example loads, and a bad file is refused with file, key and reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from config.settings import ConfigError, load_settings
from workers.alerts.loader import RuleFileError, load_rule_file, load_rules
from workers.alerts.rules import RULE_TYPES
from workers.alerts.schema import SCHEMA_PATH, rules_schema

EXAMPLES = Path(__file__).resolve().parents[2] / "config" / "rules" / "examples"
EXAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "config" / "starwatch.yaml"


def test_committed_schema_matches_the_options_models():
    committed = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert committed == rules_schema(), "regenerate it: python -m workers.alerts.schema"


def test_every_rule_type_has_an_example_with_every_key_marked_and_it_loads():
    settings = load_settings(EXAMPLE_CONFIG)
    examples = sorted(EXAMPLES.glob("*.yaml"))
    assert {p.stem for p in examples} == set(RULE_TYPES)
    for path in examples:
        rule = load_rule_file(path, settings)
        assert rule.type_name == path.stem
        documented = yaml.safe_load(path.read_text(encoding="utf-8"))
        for line in path.read_text(encoding="utf-8").splitlines():
            key = line.split(":", 1)[0].strip()
            if line and not line.startswith((" ", "#", "-")) and key in documented:
                assert "(Required)" in line or "(Optional)" in line, f"{path.name}: {line}"
        assert set(documented) >= set(type(rule.options).model_fields), f"{path.name} leaves keys out"


def write(tmp_path: Path, text: str, name: str = "rule.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def settings():
    return load_settings(EXAMPLE_CONFIG)


@pytest.mark.parametrize(("text", "key", "reason"), [
    ("id: x\ntype: rating_drop\nmin_drop: -1\n", "min_drop", "less than or equal to the minimum of 0"),
    ("id: x\ntype: rating_drop\nrecent_dayz: 7\n", "(top level)", "'recent_dayz' was unexpected"),
    ("id: x\ntype: rating_drop\nrecent_days: seven\n", "recent_days", "'seven' is not of type 'integer'"),
    ("id: x\ntype: sentiment_wave\n", "type", "'sentiment_wave' is not a rule type; use one of: authenticity_campaign"),
    ("type: rating_drop\n", "(top level)", "'id' is a required property"),
    ("id: Bad Id\ntype: volume_spike\n", "id", "does not match"),
    ("id: x\ntype: rating_drop\noverrides:\n  - entities: [my-business]\n    max_rating: 2\n",
     "overrides[0]", "'max_rating' was unexpected"),
    ("id: x\ntype: rating_drop\nentities: [nowhere]\n", "entities", "unknown entity ids ['nowhere']"),
    ("id: x\ntype: rating_drop\noverrides:\n  - groups: [atlantis]\n    min_drop: 1\n", "overrides[0].groups", "unknown groups"),
    ("id: x\ntype: negative_spike\nnegative_max_rating: null\n", "(top level)", "set negative_max_rating"),
])
def test_invalid_rule_is_refused_naming_file_key_and_reason(tmp_path, settings, text, key, reason):
    path = write(tmp_path, text)

    with pytest.raises(RuleFileError) as raised:
        load_rule_file(path, settings)

    message = str(raised.value)
    assert message.startswith(str(path)) and f"key '{key}'" in message and reason in message
    assert isinstance(raised.value, ConfigError)  # the CLI prints it as one line and exits 2


def test_bad_yaml_names_the_line(tmp_path, settings):
    path = write(tmp_path, "id: x\ntype: rating_drop\nmin_drop: [0.3\n")
    with pytest.raises(RuleFileError, match=r"rule.yaml line \d+, column \d+: invalid YAML"):
        load_rule_file(path, settings)


def test_an_override_that_breaks_a_bound_once_merged_is_refused(tmp_path, settings):
    path = write(tmp_path, "id: x\ntype: negative_spike\noverrides:\n  - entities: [rival]\n    negative_max_rating: null\n")
    with pytest.raises(RuleFileError, match="key 'overrides': the values for entity 'rival' are invalid"):
        load_rule_file(path, settings)


def test_rule_files_duplicate_ids_and_missing_paths(tmp_path):
    write(tmp_path, "id: rating-drop\ntype: rating_drop\n", "a.yaml")  # same id as the inline default rule
    config = write(tmp_path, yaml.safe_dump({"alerts": {"rule_files": [str(tmp_path / "*.yaml")]}}), "config.yml")
    with pytest.raises(RuleFileError, match="rule id 'rating-drop' is already used by settings alerts.rules"):
        load_rules(load_settings(config))
    missing = write(tmp_path, yaml.safe_dump({"alerts": {"rule_files": [str(tmp_path / "nope.yaml")]}}), "config2.yml")
    with pytest.raises(RuleFileError, match="nope.yaml .* does not exist"):
        load_rules(load_settings(missing))


def test_disabled_rules_are_loaded_but_not_evaluated(tmp_path):
    write(tmp_path, "id: quiet\ntype: volume_spike\nenabled: false\n", "a.yaml")
    config = write(tmp_path, yaml.safe_dump({"alerts": {"rules": [], "rule_files": [str(tmp_path / "a.yaml")]}}), "c.yml")
    settings = load_settings(config)
    assert load_rules(settings) == [] and [r.rule_id for r in load_rules(settings, include_disabled=True)] == ["quiet"]

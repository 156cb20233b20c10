"""Settings: layered precedence, clear errors naming file + key, secrets only from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, load_settings

ENTITY = {"id": "cafe", "name": "Café", "group": "g",
          "sources": [{"id": "cafe-site", "type": "schema_org", "url": "https://cafe.example.org/"}]}


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path):
    """No ambient STARWATCH_* variable or repo config file may leak into these tests."""
    import os

    for name in list(os.environ):
        if name.startswith("STARWATCH_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "starwatch.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_apply_without_any_file():
    settings = load_settings()
    assert settings.store.backend == "sqlite"
    assert settings.tasks.mode == "inprocess"
    assert settings.crawl.obey_robots_txt is True


def test_file_then_env_then_flags_each_override_the_previous(tmp_path, monkeypatch):
    path = write(tmp_path, "store:\n  backend: elasticsearch\ncrawl:\n  download_delay_seconds: 3\n")
    assert load_settings(path).store.backend == "elasticsearch"
    monkeypatch.setenv("STARWATCH_STORE__BACKEND", "sqlite")
    settings = load_settings(path)
    assert settings.store.backend == "sqlite"
    assert settings.crawl.download_delay_seconds == 3  # untouched keys keep the file's value
    assert load_settings(path, {"store": {"backend": "elasticsearch"}}).store.backend == "elasticsearch"


def test_config_path_from_environment_variable(tmp_path, monkeypatch):
    path = write(tmp_path, "tasks:\n  mode: celery\n")
    monkeypatch.setenv("STARWATCH_CONFIG", str(path))
    assert load_settings().tasks.mode == "celery"


def test_default_file_in_working_directory_is_used(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "starwatch.yaml").write_text("store:\n  sqlite_path: here.db\n")
    assert str(load_settings().store.sqlite_path) == "here.db"


def test_entities_and_groups_are_data(tmp_path):
    import yaml

    path = write(tmp_path, yaml.safe_dump({"groups": [{"id": "g", "name": "Rivals"}], "entities": [ENTITY]}))
    settings = load_settings(path)
    assert settings.entity("cafe").sources[0].url == "https://cafe.example.org/"
    assert [e.id for e in settings.group_members("g")] == ["cafe"]
    assert settings.group_name("g") == "Rivals"


@pytest.mark.parametrize("text, expected", [
    ("store:\n  backend: mongo\n", ["starwatch.yaml", "store.backend", "'sqlite' or 'elasticsearch'", "mongo"]),
    ("crawl:\n  downlod_delay: 2\n", ["crawl.downlod_delay", "unknown key"]),
    ("entities:\n  - id: Bad Id\n    name: x\n", ["entities.0.id", "pattern"]),
    ("entities:\n  - id: a\n    name: x\n    sources:\n      - {id: s, type: schema_org, url: 'ftp://x'}\n",
     ["entities.0.sources.0.url", "http"]),
    ("alerts:\n  rules:\n    - {min_drop: -1}\n", ["alerts.rules.0.min_drop", "greater than 0"]),
    ("store: [unclosed\n", ["starwatch.yaml line", "invalid YAML"]),
    ("- just\n- a list\n", ["expected a mapping"]),
])
def test_invalid_file_names_the_file_the_key_and_what_was_expected(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    for fragment in expected:
        assert fragment in str(caught.value)


def test_missing_file_says_how_to_fix(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.yaml")


def test_bad_environment_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("STARWATCH_TASKS__MODE", "threads")
    with pytest.raises(ConfigError, match="STARWATCH_TASKS__MODE"):
        load_settings()


@pytest.mark.parametrize("section, key, variable", [
    ("smtp", "password", "STARWATCH_SMTP__PASSWORD"),
    ("elasticsearch", "password", "STARWATCH_ELASTICSEARCH__PASSWORD"),
    ("privacy", "author_salt", "STARWATCH_PRIVACY__AUTHOR_SALT"),
])
def test_secrets_in_a_file_are_refused_and_the_variable_is_named(tmp_path, section, key, variable):
    path = write(tmp_path, f"{section}:\n  {key}: hunter2\n")
    with pytest.raises(ConfigError, match=variable):
        load_settings(path)


def test_secrets_from_environment_are_never_printed(monkeypatch):
    monkeypatch.setenv("STARWATCH_SMTP__PASSWORD", "hunter2")
    settings = load_settings()
    assert settings.smtp.password.get_secret_value() == "hunter2"
    assert "hunter2" not in repr(settings) and "hunter2" not in settings.model_dump_json()


def test_duplicate_ids_and_unknown_rule_entities_are_refused():
    with pytest.raises(ConfigError, match="used twice"):
        load_settings(overrides={"entities": [ENTITY, ENTITY]})
    with pytest.raises(ConfigError, match="unknown entities"):
        load_settings(overrides={"alerts": {"rules": [{"entities": ["ghost"]}]}})


def test_entity_names_cannot_carry_header_injection():
    with pytest.raises(ConfigError, match="single line"):
        load_settings(overrides={"entities": [{**ENTITY, "name": "Evil\r\nBcc: x@y.org"}]})


def test_author_salt_is_generated_once_and_reused(tmp_path):
    settings = load_settings(overrides={"privacy": {"salt_file": str(tmp_path / "salt")}})
    first = settings.author_salt()
    assert first and settings.author_salt() == first
    assert (tmp_path / "salt").stat().st_mode & 0o077 == 0


def test_repository_example_config_is_valid(monkeypatch):
    repo_config = Path(__file__).resolve().parents[2] / "config" / "starwatch.yaml"
    settings = load_settings(repo_config)
    assert settings.entities and settings.alerts.rules

"""docker-compose.yml describes production; no engine runs here, so check what can be checked:
it parses, every service is complete, what it builds or mounts exists, the commands it runs are
real starwatch commands, and its environment is accepted by the settings loader."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_all_production_services_are_described(compose):
    assert {"elasticsearch", "redis", "worker", "beat", "crawler", "mailpit"} <= set(compose["services"])


def test_elasticsearch_is_the_full_8_19_image_with_healthcheck_and_volume(compose):
    es = compose["services"]["elasticsearch"]
    assert es["image"].startswith("docker.elastic.co/elasticsearch/elasticsearch:8.19.")
    assert "healthcheck" in es and any("es-data" in v for v in es["volumes"])


def test_redis_persists_its_queue(compose):
    redis = compose["services"]["redis"]
    assert "--appendonly" in redis["command"] and any("/data" in v for v in redis["volumes"])


def test_build_context_and_mounts_exist(compose):
    for name, service in compose["services"].items():
        if "build" in service:
            assert (ROOT / service["build"] / "Dockerfile").is_file(), name
        for volume in service.get("volumes", []):
            host = volume.split(":")[0]
            if host.startswith("."):
                assert (ROOT / host).exists(), f"{name} mounts missing {host}"


def test_commands_are_real_cli_commands(compose):
    from starwatch.cli import app

    commands = {c.name or c.callback.__name__ for c in app.registered_commands}
    for name in ("worker", "beat", "crawler"):
        command = " ".join(compose["services"][name]["command"])
        assert any(f"starwatch {c}" in command for c in commands), command


def test_service_environment_is_accepted_by_the_settings(compose, monkeypatch):
    from config import load_settings

    env = compose["services"]["worker"]["environment"]
    for key, value in env.items():
        if key == "STARWATCH_CONFIG":
            value = str(ROOT / "config" / "starwatch.yaml")
        monkeypatch.setenv(key, str(value).split(":-")[-1].rstrip("}") if "${" in str(value) else str(value))
    settings = load_settings()
    assert settings.store.backend == "elasticsearch" and settings.tasks.mode == "celery"

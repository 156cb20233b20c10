"""The CLI as a user meets it: one clear line and a non-zero exit for mistakes, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.service_support import free_port


def starwatch(*args: str, cwd, env_extra: dict | None = None, timeout: float = 120):
    env = {k: v for k, v in os.environ.items() if not k.startswith("STARWATCH_")}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "starwatch.cli", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=timeout)


def assert_one_clear_line(result, code: int, *fragments: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("starwatch: error: ")
    for fragment in fragments:
        assert fragment in result.stderr


def test_broken_config_stops_at_start_naming_file_and_key(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("store:\n  backend: mongo\n")
    result = starwatch("--config", str(config), "search", "x", cwd=tmp_path)
    assert_one_clear_line(result, 2, "bad.yaml", "store.backend")


def test_unreachable_elasticsearch_names_the_url(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    result = starwatch("--store", "elasticsearch", "--es-url", url, "search", "café", cwd=tmp_path)
    assert_one_clear_line(result, 1, url)


def test_unreachable_broker_names_the_url(tmp_path):
    broker = f"redis://127.0.0.1:{free_port()}/0"
    config = tmp_path / "c.yaml"
    config.write_text(
        "tasks: {publish_retry_seconds: 1}\n"
        "entities:\n  - id: a\n    name: A\n    sources: [{id: a-site, type: schema_org, url: 'https://a.example.org/'}]\n")
    result = starwatch("--config", str(config), "--tasks", "celery", "--broker-url", broker, "crawl", cwd=tmp_path)
    assert_one_clear_line(result, 1, f"127.0.0.1:{broker.split(':')[2].split('/')[0]}")


def test_unknown_group_and_entity_list_the_known_ones(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("entities:\n  - {id: a, name: A, group: rivals}\n")
    result = starwatch("--config", str(config), "compare", "nope", cwd=tmp_path)
    assert_one_clear_line(result, 2, "nope", "rivals")
    result = starwatch("--config", str(config), "search", "x", "--entity", "ghost", cwd=tmp_path)
    assert_one_clear_line(result, 2, "ghost", "a")


def test_crawl_without_sources_says_what_to_configure(tmp_path):
    result = starwatch("crawl", cwd=tmp_path)
    assert_one_clear_line(result, 2, "no sources configured")


@pytest.mark.parametrize("query", ['"unbalanced', "*:*", "_index:starwatch", "a" * 3000])
def test_hostile_queries_are_answered_clearly_or_searched_as_words(tmp_path, query):
    result = starwatch("--sqlite-path", str(tmp_path / "s.sqlite"), "search", query, "--json", cwd=tmp_path)
    if result.returncode == 0:
        assert json.loads(result.stdout)["total"] == 0
    else:
        assert_one_clear_line(result, 1)


def test_search_on_an_empty_store_prints_nothing_found(tmp_path):
    result = starwatch("--sqlite-path", str(tmp_path / "s.sqlite"), "search", "café", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "0 result(s)" in result.stdout

"""Helpers for the crawler tests: serve a fixture site on loopback, build test settings, and run
a real crawl in a subprocess (Twisted's reactor runs once per process).

A plain module rather than conftest.py so test files can import it by a name no other test
folder uses.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote_plus

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SITES = REPO_ROOT / "tests" / "fixtures" / "sites"
TEST_SALT = "crawler-tests-salt"


@dataclass
class ServedSite:
    """A fixture site on 127.0.0.1 and the paths it was asked for."""

    base_url: str
    requested_paths: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path


class _RecordingHandler(SimpleHTTPRequestHandler):
    """Static files, plus two conventions for API-like fixtures.

    - A query string selects a file of its own when one exists: ``/review/x?page=2`` serves
      ``review/x__page=2`` (``&`` also becomes ``__``), else the query is ignored as usual.
    - A POST serves ``<path>__<token>`` where ``<token>`` is the first ``tok-...`` word of the
      request body, or ``<path>__first`` when there is none (Google Play's paging).
    """

    site: ServedSite

    def do_GET(self):  # noqa: N802 (http.server API)
        self.site.requested_paths.append(self.path)
        path, _, query = self.path.partition("?")
        if query and Path(self.translate_path(path + "__" + query.replace("&", "__"))).is_file():
            self.path = path + "__" + query.replace("&", "__")
        super().do_GET()

    def do_POST(self):  # noqa: N802 (http.server API)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8", "replace")
        self.site.requested_paths.append(f"POST {self.path}")
        token = re.search(r"tok-[A-Za-z0-9]+", unquote_plus(body))
        self.path = self.path.partition("?")[0] + "__" + (token[0] if token else "first")
        super().do_GET()

    def log_message(self, format, *args):  # keep test output quiet
        pass


def serve_site(name: str):
    """Serve ``tests/fixtures/sites/<name>`` on a free loopback port; returns (site, server)."""
    return serve_directory(SITES / name)


def serve_directory(directory: Path, handler_class: type = _RecordingHandler):
    """Serve any directory on a free loopback port; returns (site, server)."""
    site = ServedSite(base_url="")
    handler = type("Handler", (handler_class,), {"site": site})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(directory)))
    site.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return site, server


def crawl_config(sources: list[dict], *, batch_size: int = 4) -> dict:
    """A starwatch config for test crawls: no delay, loopback allowed, one entity per source."""
    return {
        "crawl": {"download_delay_seconds": 0, "allow_loopback": True, "download_timeout_seconds": 20},
        "tasks": {"batch_size": batch_size},
        "entities": [
            {"id": f"entity-{source['id']}", "name": f"Entity of {source['id']}", "language": "fr",
             "sources": [{"type": "schema_org", **source}]}
            for source in sources
        ],
    }


@dataclass
class CrawlRun:
    returncode: int
    report: dict | None
    batches: list[dict]
    stderr: str
    requested_paths: list[str] = field(default_factory=list)

    def records(self, kind: str) -> list[dict]:
        return [record for batch in self.batches for record in batch[kind]]

    def source(self, source_id: str) -> dict:
        return next(s for s in self.report["sources"] if s["source_id"] == source_id)


def run_crawl_subprocess(
    workdir: Path, config: dict, output_name: str | None = "batches.jsonl", args: tuple[str, ...] = ()
) -> CrawlRun:
    """``python -m crawlers.runner`` on a config; returns what it produced.

    Batches go to a JSONL file, or with ``output_name=None`` to the workers in-process, which
    store them in the config's SQLite store (``store.sqlite_path``, relative to ``workdir``).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "starwatch.yaml"
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    output = workdir / (output_name or "no-output.jsonl")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STARWATCH_")}
    env.update(STARWATCH_PRIVACY__AUTHOR_SALT=TEST_SALT, PYTHONPATH=str(REPO_ROOT))
    command = [sys.executable, "-m", "crawlers.runner", "--config", str(config_path), *args]
    if output_name:
        command += ["--output", str(output)]
    completed = subprocess.run(
        command,
        cwd=workdir, env=env, capture_output=True, text=True, timeout=120,
    )
    report = json.loads(completed.stdout) if completed.stdout.strip() else None
    batches = []
    if output.is_file():
        batches = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines() if line]
    return CrawlRun(completed.returncode, report, batches, completed.stderr)


def make_settings(sources: list[dict] | None = None, **sections):
    """Typed starwatch settings for in-process tests (no YAML file, fixed salt)."""
    from config.settings import Settings

    data = crawl_config(sources or [{"id": "shop", "url": "http://127.0.0.1:8/reviews/page-1.html"}])
    data["privacy"] = {"author_salt": TEST_SALT}
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return Settings(**data)


def fixture_page(path: str) -> bytes:
    return (SITES / "schema_org_shop" / path).read_bytes()

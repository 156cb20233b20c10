"""The ``starwatch`` command: parses flags, calls one capability, prints the result.

No logic lives here: every command is a thin wrapper over a function in
``starwatch.capabilities`` (the REST API and dashboard will call the same functions). Global
flags become ``STARWATCH_*`` variables of this process, so they override the config file and
environment exactly like the settings precedence says, including in Celery worker processes.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from pathlib import Path
from typing import Callable, Optional

import typer

from starwatch.capabilities.serialize import to_jsonable
from starwatch.errors import user_error_types

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="starwatch: watch public reviews and star ratings, get alerted when they dip.")
alerts_app = typer.Typer(no_args_is_help=True, help="Alert rules: evaluate them now.")
app.add_typer(alerts_app, name="alerts")


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"starwatch: error: {message}", err=True)
    raise typer.Exit(code)


def handles_user_errors(command: Callable) -> Callable:
    """Print one clear line for mistakes a user can fix; let real bugs show their traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except user_error_types() as exc:
            fail(str(exc), 2 if type(exc).__name__ == "ConfigError" else 1)

    return wrapper


def settings():
    from config import load_settings

    return load_settings(os.environ.get("STARWATCH_CONFIG"))


def print_json(value) -> None:
    typer.echo(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2))


@app.callback()
def main_options(
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="YAML config file (default: config/starwatch.yaml if present)."),
    store: Optional[str] = typer.Option(None, help="Store backend: sqlite or elasticsearch."),
    sqlite_path: Optional[Path] = typer.Option(None, help="SQLite database file."),
    es_url: Optional[str] = typer.Option(None, help="Elasticsearch URL."),
    tasks: Optional[str] = typer.Option(None, help="Task mode: inprocess or celery."),
    broker_url: Optional[str] = typer.Option(None, help="Celery broker URL (redis://...)."),
    log_level: Optional[str] = typer.Option(None, help="DEBUG, INFO, WARNING or ERROR (default: INFO; WARNING for the demo)."),
) -> None:
    if log_level is not None:
        os.environ["STARWATCH_CRAWL__LOG_LEVEL"] = log_level.upper()
        logging.basicConfig(level=log_level.upper())
    flags = {"STARWATCH_CONFIG": config, "STARWATCH_STORE__BACKEND": store,
             "STARWATCH_STORE__SQLITE_PATH": sqlite_path, "STARWATCH_ELASTICSEARCH__URL": es_url,
             "STARWATCH_TASKS__MODE": tasks, "STARWATCH_TASKS__BROKER_URL": broker_url}
    for variable, value in flags.items():
        if value is not None:
            os.environ[variable] = str(value)


@app.command()
@handles_user_errors
def demo(
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    data_dir: Path = typer.Option(Path("starwatch-demo"), help="Where the demo writes its store and emails."),
) -> None:
    """Run the whole pipeline on bundled demo businesses (SQLite, in-process tasks, no services)."""
    from starwatch.capabilities.demo import run_demo
    from starwatch.report import print_demo_summary

    os.environ.setdefault("STARWATCH_CRAWL__LOG_LEVEL", "WARNING")
    summary = run_demo(data_dir, log_level=os.environ["STARWATCH_CRAWL__LOG_LEVEL"])
    print_json(summary) if as_json else print_demo_summary(summary)


@app.command()
@handles_user_errors
def crawl(
    sources: list[str] = typer.Argument(None, help="Source ids to crawl (default: all)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Collect reviews now from configured sources (in celery mode, hands them to the workers)."""
    from starwatch.capabilities.collection import crawl_sources
    from starwatch.report import print_crawl_report

    report = crawl_sources(settings(), sources or None)
    print_json(report) if as_json else print_crawl_report(report)


@app.command()
@handles_user_errors
def search(
    query: str = typer.Argument("", help='Words, "phrases", OR, -exclusion, prefix*.'),
    entity: list[str] = typer.Option(None, "--entity", "-e", help="Restrict to an entity id (repeatable)."),
    sort: str = typer.Option("relevance", help="relevance or date."),
    limit: int = typer.Option(20, min=1, max=500),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Search every collected review and mention."""
    from starwatch.capabilities.mentions import search_mentions
    from starwatch.report import print_search_page

    if sort not in ("relevance", "date"):
        fail("--sort must be relevance or date")
    page = search_mentions(settings(), query, entity_ids=entity or None, sort=sort, limit=limit)
    print_json(page) if as_json else print_search_page(query, page)


@app.command()
@handles_user_errors
def compare(
    group: str = typer.Argument(..., help="Competitor group id."),
    days: int = typer.Option(30, min=1, max=3650, help="Window length in days."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Compare the ratings of a competitor group side by side."""
    from starwatch.capabilities.comparison import compare_group
    from starwatch.report import print_comparison

    result = compare_group(settings(), group, days=days)
    print_json(result) if as_json else print_comparison(result)


@alerts_app.command("run")
@handles_user_errors
def alerts_run(as_json: bool = typer.Option(False, "--json")) -> None:
    """Evaluate every alert rule now and send the emails of new incidents."""
    from starwatch.capabilities.alerting import run_alert_rules
    from starwatch.report import print_alert_run

    run = run_alert_rules(settings())
    print_json(run) if as_json else print_alert_run(run)


@app.command()
@handles_user_errors
def worker(
    queues: str = typer.Option("ingest,alerts,email", help="Comma-separated queues to consume."),
    concurrency: int = typer.Option(2, min=1, help="Worker processes."),
    loglevel: str = typer.Option("info"),
) -> None:
    """Run a Celery worker (Redis broker from the settings)."""
    from workers.celery_app import app as celery_app, configure

    configure(settings())
    celery_app.worker_main(["worker", "-Q", queues, "-c", str(concurrency), "--loglevel", loglevel])


@app.command()
@handles_user_errors
def beat(
    loglevel: str = typer.Option("info"),
    schedule_file: Path = typer.Option(Path("celerybeat-schedule"), help="Where beat keeps its schedule state."),
) -> None:
    """Run Celery beat: evaluates the alert rules on their schedule."""
    from workers.celery_app import app as celery_app, configure

    configure(settings())
    celery_app.start(["beat", "--loglevel", loglevel, "--schedule", str(schedule_file)])


def main() -> None:
    """Console-script entry point."""
    app(prog_name="starwatch")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

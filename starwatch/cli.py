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
from datetime import datetime
from pathlib import Path
from typing import Callable, Optional

import typer

from starwatch.capabilities.serialize import to_jsonable
from starwatch.errors import user_error_types

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="starwatch: watch public reviews and star ratings, get alerted when they dip.")
alerts_app = typer.Typer(no_args_is_help=True, help="Alert rules: evaluate, dry-run, list, acknowledge, resolve.")
app.add_typer(alerts_app, name="alerts")
saved_app = typer.Typer(no_args_is_help=True, help="Saved searches: list, run, show, delete (save with: search --save NAME).")
app.add_typer(saved_app, name="saved-search")
index_app = typer.Typer(no_args_is_help=True, help="Store indices: status, and migration to the latest mapping.")
app.add_typer(index_app, name="index")


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
    backfill: bool = typer.Option(False, "--backfill", help="Walk each source's whole history, not only new pages."),
) -> None:
    """Collect reviews now from configured sources (in celery mode, hands them to the workers)."""
    from starwatch.capabilities.collection import crawl_sources
    from starwatch.report import print_crawl_report

    report = crawl_sources(settings(), sources or None, backfill=backfill)
    print_json(report) if as_json else print_crawl_report(report)


@app.command()
@handles_user_errors
def extract(
    target: str = typer.Argument(..., help="A page URL (fetched politely) or a saved page file."),
    platform: Optional[str] = typer.Option(None, help="schema_org, trustpilot, app_store, google_play or feed (default: guessed)."),
    entity: Optional[str] = typer.Option(None, "--entity", "-e", help="Entity whose names feed entries must mention."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Show what the spiders would extract from one page, and why anything was dropped."""
    from starwatch.capabilities.extraction import extract_page
    from starwatch.report import print_extraction

    result = extract_page(settings(), target, platform=platform, entity_id=entity)
    print_json(result) if as_json else print_extraction(result)


@app.command()
@handles_user_errors
def analyze(
    file: str = typer.Argument("-", help="Text file (one text per line, plain or JSON with text/rating/language), or - for stdin."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON line per input with everything computed."),
) -> None:
    """Language, sentiment and stars, aspects, integrity and solicitation flags of each input line."""
    from starwatch.capabilities.analysis import analyze_lines, summary_line

    handle = sys.stdin if file == "-" else open(file, encoding="utf-8", errors="replace")
    try:
        for result in analyze_lines(handle, settings()):
            typer.echo(json.dumps(result, ensure_ascii=False) if as_json else summary_line(result))
    finally:
        if handle is not sys.stdin:
            handle.close()


DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]


@app.command()
@handles_user_errors
def search(
    query: str = typer.Argument("", help='Words, "phrases", OR, -exclusion, prefix*.'),
    entity: list[str] = typer.Option(None, "--entity", "-e", help="Restrict to an entity id (repeatable)."),
    group: list[str] = typer.Option(None, "--group", "-g", help="Restrict to a competitor group's members (repeatable)."),
    source: list[str] = typer.Option(None, "--source", help="Restrict to a source id (repeatable)."),
    kind: Optional[str] = typer.Option(None, "--kind", help="review or mention."),
    language: list[str] = typer.Option(None, "--language", help="Language code, e.g. fr (repeatable)."),
    sentiment: list[str] = typer.Option(None, "--sentiment", help="positive, neutral or negative (repeatable)."),
    aspect: list[str] = typer.Option(None, "--aspect", help="Documents about this aspect, e.g. service (repeatable)."),
    flag: list[str] = typer.Option(None, "--flag", help="Only documents carrying this flag (repeatable)."),
    without_flag: list[str] = typer.Option(None, "--without-flag", help="Hide documents carrying this flag (repeatable)."),
    min_rating: Optional[float] = typer.Option(None, "--min-rating", min=0, max=5),
    max_rating: Optional[float] = typer.Option(None, "--max-rating", min=0, max=5),
    since: Optional[datetime] = typer.Option(None, formats=DATE_FORMATS, help="Published on or after (UTC)."),
    until: Optional[datetime] = typer.Option(None, formats=DATE_FORMATS, help="Published before (UTC)."),
    days: Optional[int] = typer.Option(None, "--days", min=1, max=3650, help="Only the last N days (stays moving when saved)."),
    sort: str = typer.Option("relevance", help="relevance or date."),
    limit: int = typer.Option(20, min=1, max=500),
    cursor: Optional[str] = typer.Option(None, help="next_cursor printed by the previous page of the same search."),
    facets: bool = typer.Option(False, "--facets", help="Also count the hits per entity, source, language, sentiment, aspect, flag and star."),
    save: Optional[str] = typer.Option(None, "--save", metavar="NAME", help="Also save this search as NAME (see: starwatch saved-search)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Search every collected review and mention; page on with --cursor, save with --save."""
    from starwatch.capabilities.mentions import search_mentions
    from starwatch.capabilities.saved_searches import save_search
    from starwatch.report import print_search_page

    if sort not in ("relevance", "date"):
        fail("--sort must be relevance or date")
    if kind not in (None, "review", "mention"):
        fail("--kind must be review or mention")
    filters = dict(entity_ids=entity, group_ids=group, sources=source, kinds=[kind] if kind else None,
                   languages=language, sentiment_labels=sentiment, aspects=aspect, flags=flag,
                   exclude_flags=without_flag, min_rating=min_rating, max_rating=max_rating, since=since,
                   until=until, within_days=days, sort=sort)
    current = settings()
    if save:
        saved = save_search(current, save, query, **filters)
        typer.echo(f"saved as {saved.name!r}; run it again with: starwatch saved-search run {saved.name}", err=True)
    page = search_mentions(current, query, limit=limit, facets=facets, cursor=cursor, **filters)
    print_json(page) if as_json else print_search_page(query, page)


@saved_app.command("list")
@handles_user_errors
def saved_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """List the saved searches."""
    from starwatch.capabilities.saved_searches import list_saved_searches
    from starwatch.report import print_saved_searches

    found = list_saved_searches(settings())
    print_json(found) if as_json else print_saved_searches(found)


@saved_app.command("run")
@handles_user_errors
def saved_run(
    name: str = typer.Argument(..., help="The saved search's name."),
    limit: int = typer.Option(20, min=1, max=500),
    cursor: Optional[str] = typer.Option(None, help="next_cursor printed by the previous page."),
    facets: bool = typer.Option(False, "--facets", help="Also count the hits per value of each facet."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Run a saved search as it means now (current group members, moving window)."""
    from starwatch.capabilities.saved_searches import get_saved_search, run_saved_search
    from starwatch.report import print_search_page

    current = settings()
    page = run_saved_search(current, name, limit=limit, facets=facets, cursor=cursor)
    print_json(page) if as_json else print_search_page(get_saved_search(current, name).text, page)


@saved_app.command("show")
@handles_user_errors
def saved_show(name: str = typer.Argument(...), as_json: bool = typer.Option(False, "--json")) -> None:
    """Show what a saved search holds."""
    from starwatch.capabilities.saved_searches import get_saved_search
    from starwatch.report import print_saved_searches

    saved = get_saved_search(settings(), name)
    print_json(saved) if as_json else print_saved_searches([saved])


@saved_app.command("delete")
@handles_user_errors
def saved_delete(name: str = typer.Argument(...)) -> None:
    """Delete a saved search."""
    from starwatch.capabilities.saved_searches import delete_saved_search

    if not delete_saved_search(settings(), name):
        fail(f"no saved search named {name!r}; see: starwatch saved-search list")
    typer.echo(f"deleted {name!r}")


@app.command()
@handles_user_errors
def compare(
    group: str = typer.Argument(..., help="Competitor group id."),
    days: int = typer.Option(30, min=1, max=3650, help="Window length in days."),
    interval: Optional[str] = typer.Option(None, help="Trend points: day, week or month (default: compare.trend_interval)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Compare a competitor group: averages (raw, smoothed, adjusted), trend, aspects, share of voice, rank."""
    from starwatch.capabilities.comparison import compare_group
    from starwatch.report import print_comparison

    if interval not in (None, "day", "week", "month"):
        fail("--interval must be day, week or month")
    result = compare_group(settings(), group, days=days, interval=interval)
    print_json(result) if as_json else print_comparison(result)


@app.command()
@handles_user_errors
def authenticity(
    entity: str = typer.Argument(..., help="Entity id (as configured)."),
    cached: bool = typer.Option(False, "--cached", help="Show the last stored report instead of assessing now."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Authenticity report card: tests with their numbers, grade, adjusted rating, campaigns."""
    from starwatch.capabilities.authenticity import authenticity_report
    from starwatch.report import print_authenticity_report

    report = authenticity_report(settings(), entity, refresh=not cached)
    print_json(report) if as_json else print_authenticity_report(report)


@index_app.command("status")
@handles_user_errors
def index_status(as_json: bool = typer.Option(False, "--json")) -> None:
    """Show each index (or table): version, documents, pending migration, cluster features."""
    from starwatch.capabilities.indexing import index_status as read_status
    from starwatch.report import print_index_status

    status = read_status(settings())
    print_json(status) if as_json else print_index_status(status)


@index_app.command("migrate")
@handles_user_errors
def index_migrate(
    name: list[str] = typer.Option(None, "--index", help="Only this index: documents, snapshots… (repeatable)."),
    delete_old: bool = typer.Option(False, "--delete-old", help="Delete the previous version once the alias moved."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Copy indices into their latest mapping version and move the aliases (no document lost)."""
    from starwatch.capabilities.indexing import migrate_indices
    from starwatch.report import print_migrations

    results = migrate_indices(settings(), name or None, delete_old=delete_old,
                              progress=None if as_json else lambda line: typer.echo(line, err=True))
    print_json(results) if as_json else print_migrations(results)


@alerts_app.command("run")
@handles_user_errors
def alerts_run(as_json: bool = typer.Option(False, "--json")) -> None:
    """Evaluate every alert rule now and send the emails of new incidents."""
    from starwatch.capabilities.alerting import run_alert_rules
    from starwatch.report import print_alert_run

    run = run_alert_rules(settings())
    print_json(run) if as_json else print_alert_run(run)


def _alert_input_errors(command: Callable) -> Callable:
    """Mistakes in an ``alerts`` command's arguments print one line, like other user errors."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from starwatch.capabilities.alerting import AlertInputError

        try:
            return command(*args, **kwargs)
        except AlertInputError as exc:
            fail(str(exc))

    return wrapper


@alerts_app.command("test-rule")
@handles_user_errors
@_alert_input_errors
def alerts_test_rule(
    rule_file: Path = typer.Argument(..., help="A rule file (YAML), e.g. config/rules/examples/rating_drop.yaml."),
    since: str = typer.Option("90d", help="How far back to replay: 90d, 36h, 2w."),
    step: str = typer.Option("1d", help="Evaluate once per step."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Dry-run a rule on stored data and print what would have fired (no email, no incident)."""
    from starwatch.capabilities.alerting import dry_run_rule
    from starwatch.report import print_rule_dry_run

    result = dry_run_rule(settings(), rule_file, since=since, step=step)
    print_json(result) if as_json else print_rule_dry_run(result)


@alerts_app.command("list")
@handles_user_errors
def alerts_list(
    status: str = typer.Option("open", help="open, resolved or all."),
    historical: bool = typer.Option(False, "--historical", help="Include incidents recorded by backfills."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List alert incidents, newest first."""
    from starwatch.capabilities.alerting import list_alerts
    from starwatch.report import print_incidents

    if status not in ("open", "resolved", "all"):
        fail("--status must be open, resolved or all")
    found = list_alerts(settings(), status=None if status == "all" else status, include_historical=historical)
    print_json(found) if as_json else print_incidents(found)


@alerts_app.command("ack")
@handles_user_errors
@_alert_input_errors
def alerts_ack(
    incident_id: str = typer.Argument(..., help="The alert id (starwatch alerts list)."),
    by: Optional[str] = typer.Option(None, help="Who acknowledges it."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Acknowledge an open alert: no more reminders or updates; it still resolves by itself."""
    from starwatch.capabilities.alerting import acknowledge_alert
    from starwatch.report import print_incidents

    incident = acknowledge_alert(settings(), incident_id, by=by)
    print_json(incident) if as_json else print_incidents([incident])


@alerts_app.command("resolve")
@handles_user_errors
@_alert_input_errors
def alerts_resolve(
    incident_id: str = typer.Argument(..., help="The alert id (starwatch alerts list)."),
    by: Optional[str] = typer.Option(None, help="Who resolves it."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Resolve an open alert by hand (no email); a condition that persists opens a new one."""
    from starwatch.capabilities.alerting import resolve_alert
    from starwatch.report import print_incidents

    incident = resolve_alert(settings(), incident_id, by=by)
    print_json(incident) if as_json else print_incidents([incident])


@alerts_app.command("backfill")
@handles_user_errors
@_alert_input_errors
def alerts_backfill(
    since: str = typer.Option("90d", help="How far back: 90d, 36h, 2w."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record what every rule would have fired in the past, as historical incidents (never emailed)."""
    from starwatch.capabilities.alerting import backfill_history

    result = backfill_history(settings(), since=since)
    print_json({"recorded": result.recorded}) if as_json else typer.echo(
        f"Recorded {result.recorded} historical incident(s); see them with: starwatch alerts list --status all --historical")


@app.command()
@handles_user_errors
def worker(
    queues: str = typer.Option("ingest,alerts,email,analysis,crawl", help="Comma-separated queues to consume."),
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

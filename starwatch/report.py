"""Human-readable output of the CLI: short, aligned, and saying what to try next.

Only formatting lives here; ``--json`` output comes from ``capabilities.serialize`` instead.
"""

from __future__ import annotations

import typer

from search.backends.base import SearchPage
from search.backends.snippets import snippet_to_text


def _stars(value: float | None) -> str:
    return "  –  " if value is None else f"{value:.2f}★"


def print_comparison(result) -> None:
    typer.echo(f"{result.group_name} — last {result.days} days (ranked by smoothed average, prior 7×3.5★)")
    typer.echo(f"  {'#':>2}  {'business':<26} {'reviews':>7} {'average':>8} {'smoothed':>9} {'previous':>9} {'displayed':>10}")
    for row in sorted(result.members, key=lambda r: (r.rank is None, r.rank or 0)):
        rank = str(row.rank) if row.rank else "–"
        typer.echo(f"  {rank:>2}  {row.name[:26]:<26} {row.window_count:>7} {_stars(row.window_average):>8} "
                   f"{_stars(row.window_smoothed):>9} {_stars(row.previous_average):>9} "
                   f"{_stars(row.displayed_average):>10}")


def print_search_page(query: str, page: SearchPage) -> None:
    typer.echo(f"{page.total} result(s) for {query!r}" if query else f"{page.total} document(s)")
    for hit in page.hits:
        doc = hit.document
        rating = f"{doc.rating:.1f}★" if getattr(doc, "rating", None) is not None else doc.kind
        when = doc.published_at.date().isoformat() if doc.published_at else "undated"
        text = " ".join((snippet_to_text(hit.snippet) if hit.snippet else doc.text).split())
        typer.echo(f"- [{doc.entity_id}] {rating} {when} ({doc.language or '?'}): {text[:160]}")


def print_alert_run(run) -> None:
    typer.echo(f"Evaluated {run.evaluated} rule/entity pair(s): {len(run.fired)} fired, "
               f"{len(run.resolved)} resolved.")
    for fired in run.fired:
        typer.echo(f"- FIRED {fired.subject}")
    for error in run.errors:
        typer.echo(f"- ERROR {error}")


def print_crawl_report(report) -> None:
    typer.echo(f"Collected {report.reviews_collected} review(s) and {report.snapshots} rating snapshot(s) "
               f"from {len(report.sources)} source(s).")
    for reason, count in sorted(report.dropped.items()):
        typer.echo(f"  dropped {count}: {reason}")
    for error in report.errors:
        typer.echo(f"  error: {error}")


def print_demo_summary(summary) -> None:
    echo = typer.echo
    echo("starwatch demo — embedded store (SQLite), in-process tasks, no services needed")
    echo(f"\nCollected {summary.reviews_collected} reviews of {summary.entities} businesses from the "
         f"demo site; indexed {summary.reviews_indexed}, of which {summary.reviews_scored} got a "
         f"language and a sentiment score.")
    for reason, count in sorted(summary.reviews_dropped.items()):
        echo(f"  dropped {count} entry(ies): {reason}")
    echo("")
    print_comparison(summary.comparison)
    echo(f"\nAlerts: {summary.alerts_fired} fired")
    for alert in summary.alerts:
        echo(f"  {alert.subject}")
        if alert.email:
            echo(f"    email: {alert.email}")
    echo(f"\nSearch {summary.search_query!r}: {summary.search_total} result(s)")
    for example in summary.search_examples:
        echo(f"  - {example}")
    echo(f"\nEverything is in {summary.data_dir}. Explore it:")
    echo(f"  starwatch --config {summary.config_file} search \"café\"")
    echo(f"  starwatch --config {summary.config_file} compare cafes-lyon --days 7")

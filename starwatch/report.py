"""Human-readable output of the CLI: short, aligned, and saying what to try next.

Only formatting lives here; ``--json`` output comes from ``capabilities.serialize`` instead.
"""

from __future__ import annotations

import typer

from search.backends.base import SearchPage
from search.backends.snippets import snippet_to_text


def _stars(value: float | None) -> str:
    return "  –  " if value is None else f"{value:.2f}★"


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def print_comparison(result) -> None:
    echo = typer.echo
    prior = f"prior {getattr(result, 'prior_reviews', 7):g}×{getattr(result, 'prior_mean', 3.5):g}★"
    echo(f"{result.group_name} — last {result.days} days (ranked by smoothed average, {prior})")
    echo(f"  {'#':>2}  {'business':<26} {'reviews':>7} {'average':>8} {'smoothed':>9} {'adjusted':>9} "
         f"{'previous':>9} {'change':>7} {'displayed':>10} {'voice':>6}")
    rows = sorted(result.members, key=lambda r: (r.rank is None, r.rank or 0))
    for row in rows:
        rank = str(row.rank) if row.rank else "–"
        echo(f"  {rank:>2}  {row.name[:26]:<26} {row.window_count:>7} {_stars(row.window_average):>8} "
             f"{_stars(row.window_smoothed):>9} {_stars(getattr(row, 'window_adjusted', None)):>9} "
             f"{_stars(row.previous_average):>9} {_signed(getattr(row, 'change', None)):>7} "
             f"{_stars(row.displayed_average):>10} {_percent(getattr(row, 'share_of_voice', None)):>6}")
    _print_forecasts(rows)
    _print_aspects(rows)


def _print_forecasts(rows) -> None:
    forecasts = [(row, row.forecast) for row in rows if getattr(row, "forecast", None)]
    if not forecasts:
        return
    typer.echo("Displayed rating — reviews that would move it one step:")
    for row, f in forecasts:
        down = f"{f.ones_to_drop} × 1★ → {f.displayed - f.step:g}★" if f.ones_to_drop else "cannot drop"
        up = f"{f.fives_to_rise} × 5★ → {f.displayed + f.step:g}★" if f.fives_to_rise else "cannot rise"
        typer.echo(f"  {row.name[:26]:<26} shows {f.displayed:g}★ ({f.average:.2f} over {f.count} ratings, "
                   f"{f.basis}): {down}; {up}")


def _print_aspects(rows) -> None:
    with_aspects = [row for row in rows if getattr(row, "aspects", None)]
    if not with_aspects:
        return
    typer.echo("Aspects in the window (reviews, mean sentiment):")
    for row in with_aspects:
        parts = [f"{a.aspect} {a.count} ({_signed(a.average_score)})" for a in row.aspects[:6]]
        typer.echo(f"  {row.name[:26]:<26} " + ", ".join(parts))


def print_search_page(query: str, page: SearchPage) -> None:
    total = f"{page.total}{'' if getattr(page, 'total_exact', True) else '+'}"
    typer.echo(f"{total} result(s) for {query!r}" if query else f"{total} document(s)")
    for hit in page.hits:
        doc = hit.document
        rating = f"{doc.rating:.1f}★" if getattr(doc, "rating", None) is not None else doc.kind
        when = doc.published_at.date().isoformat() if doc.published_at else "undated"
        text = " ".join((snippet_to_text(hit.snippet) if hit.snippet else doc.text).split())
        typer.echo(f"- [{doc.entity_id}] {rating} {when} ({doc.language or '?'}): {text[:160]}")
    for facet, counts in (getattr(page, "facets", None) or {}).items():
        typer.echo(f"  {facet}: " + (", ".join(f"{value} {count}" for value, count in counts.items()) or "–"))
    if getattr(page, "next_cursor", None):
        typer.echo(f"more: add --cursor {page.next_cursor}")


def print_saved_searches(saved_searches) -> None:
    if not saved_searches:
        typer.echo("No saved search yet; save one with: starwatch search QUERY [filters] --save NAME")
    for saved in saved_searches:
        filters = {k: v for k, v in saved.spec().model_dump(exclude={"text", "sort"}).items() if v is not None}
        shown = "; ".join(f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}" for k, v in filters.items())
        typer.echo(f"- {saved.name}: {saved.text or '(everything)'!r} sort={saved.sort}{'; ' + shown if shown else ''}")
        if saved.description:
            typer.echo(f"    {saved.description}")


def print_index_status(status) -> None:
    typer.echo(f"{status.backend} at {status.location}")
    for state in status.indices:
        size = f", {state.size_bytes / 1_048_576:.1f} MB" if state.size_bytes is not None else ""
        where = state.index or "(not created yet)"
        pending = f" → {state.latest_version} pending" if state.pending else ""
        typer.echo(f"  {state.alias:<34} {where} ({state.documents if state.documents is not None else '–'} docs{size})"
                   f"{pending}")
        for other in state.others:
            typer.echo(f"    older copy kept: {other}")
    for feature, present in status.features.items():
        typer.echo(f"  feature {feature}: {'yes' if present else 'no'}")
    for note in status.notes:
        typer.echo(f"  note: {note}")


def print_migrations(results) -> None:
    for result in results:
        line = f"{result.name}: {result.status}"
        if result.status == "migrated":
            line += (f" {result.source} → {result.target}, {result.copied} copied + {result.caught_up} caught up"
                     f" in {result.seconds:.1f} s")
            if result.rebuilt_as_is:
                line += f" ({result.rebuilt_as_is} unreadable record(s) copied unchanged)"
            if result.deleted_source:
                line += f"; {result.source} deleted"
        typer.echo(line)


def print_alert_run(run) -> None:
    typer.echo(f"Evaluated {run.evaluated} rule/entity pair(s): {len(run.fired)} fired, "
               f"{len(run.resolved)} resolved, {getattr(run, 'emails_sent', 0)} email(s) sent.")
    for fired in run.fired:
        typer.echo(f"- FIRED {fired.subject}")
    for error in run.errors:
        typer.echo(f"- ERROR {error}")


def print_rule_dry_run(result) -> None:
    typer.echo(f"Rule {result.rule_id} ({result.rule_type}) on {result.entities} entit{'y' if result.entities == 1 else 'ies'}, "
               f"{result.since:%Y-%m-%d %H:%M} → {result.until:%Y-%m-%d %H:%M} UTC, every {result.step_hours:g} h: "
               f"would have fired {result.would_fire} time(s). Dry run: nothing recorded, nothing sent.")
    if result.note:
        typer.echo(f"  note: {result.note}")
    for incident in result.incidents:
        until = f"until {incident.resolved_at:%Y-%m-%d %H:%M}" if incident.resolved_at else "still open"
        typer.echo(f"- {incident.entity_id}: from {incident.opened_at:%Y-%m-%d %H:%M} {until}: {incident.summary}")


def print_incidents(incidents) -> None:
    if not incidents:
        typer.echo("No alerts.")
    for incident in incidents:
        state = incident.status
        if incident.status == "open" and incident.acknowledged_at:
            state = f"acknowledged{' by ' + incident.acknowledged_by if incident.acknowledged_by else ''}"
        elif incident.status == "resolved":
            state = f"resolved ({incident.resolution or 'cleared'})"
        flag = " [historical]" if incident.historical else ""
        typer.echo(f"- {incident.incident_id}  {incident.opened_at:%Y-%m-%d %H:%M}  {incident.rule_id}  "
                   f"{incident.entity_id}  {state}{flag}: {incident.summary}")


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
    echo("\nAuthenticity of the reviews (ReviewMeta-style report card; details: starwatch authenticity ID):")
    for card in summary.authenticity:
        adjusted = "–" if card.adjusted is None else f"{card.adjusted:.2f}★"
        plain = "–" if card.average is None else f"{card.average:.2f}★"
        echo(f"  {card.entity_id:<24} {str(card.grade).upper():<6} {plain} plain, {adjusted} adjusted, "
             f"{card.campaigns} suspected campaign(s)")
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
    echo(f"  starwatch --config {summary.config_file} authenticity cafe-lumiere")


def print_extraction(result) -> None:
    """``starwatch extract``: what one page yields (``starwatch.capabilities.extraction``)."""
    echo = typer.echo
    echo(f"{result.url} ({result.platform}): {len(result.reviews)} review(s), "
         f"{len(result.snapshots)} rating snapshot(s), {len(result.mentions)} mention(s)")
    for snapshot in result.snapshots:
        echo(f"  rating shown: {snapshot.average:g}/5 (as displayed: {snapshot.average_original:g}"
             f"/{snapshot.rating_best:g}), ratings {snapshot.rating_count}, reviews {snapshot.review_count}")
    for review in result.reviews:
        rating = "no rating" if review.rating is None else f"{review.rating:g}/5"
        when = review.published_at.date().isoformat() if review.published_at else "no date"
        echo(f"  review {review.external_id or review.review_id}: {rating}, {when}, {review.text[:70]!r}")
    for mention in result.mentions:
        echo(f"  mention {mention.url}: matched {mention.matched_span!r} in {(mention.title or mention.text)[:60]!r}")
    for reason in result.dropped:
        echo(f"  dropped: {reason}")
    for problem, count in result.page_problems.items():
        echo(f"  counted {count}: {problem}")
    for url in result.next_pages:
        echo(f"  next page: {url}")


_VERDICT = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "not_run": "----", "not_enough_data": "n/a"}


def print_authenticity_report(report) -> None:
    """``starwatch authenticity``: the report card (``starwatch.capabilities.authenticity``)."""
    echo, card = typer.echo, report.card
    echo(f"{report.name} ({report.entity_id}) — authenticity report card, {card.review_count} review(s), "
         f"computed {card.computed_at:%Y-%m-%d %H:%M} UTC")
    echo(f"  Overall grade: {_VERDICT[card.grade]} — {card.grade_reason}")
    adjusted = card.adjusted
    if adjusted.average is not None:
        interval = f" (95 % interval {adjusted.low:.2f}–{adjusted.high:.2f})" if adjusted.low is not None else ""
        echo(f"  Rating: {_stars(card.average)} plain, {_stars(adjusted.average)} adjusted{interval}, "
             f"on {adjusted.effective_reviews:g} reviews' worth of weight")
    if adjusted.note:
        echo(f"  Note: {adjusted.note}")
    for test in card.tests:
        echo(f"  [{_VERDICT[test.status]}] {test.name}: {test.summary}")
    for campaign in report.campaigns:
        echo(f"  Campaign {campaign.campaign_id} ({', '.join(campaign.kinds)}): {campaign.summary}")
    if report.most_suspect:
        echo("  Most down-weighted reviews:")
    for review in report.most_suspect:
        when = review.published_at.date().isoformat() if review.published_at else "undated"
        echo(f"  - {_stars(review.rating)} {when} weight {review.weight:.2f}: {review.excerpt[:90]!r}")
        for flag, reason in sorted(review.reasons.items()):
            echo(f"      {flag}: {reason}")
    for source_card in report.source_cards:
        echo(f"  Source {source_card.source}: {_VERDICT[source_card.grade]}, {source_card.review_count} review(s), "
             f"{_stars(source_card.average)} plain, {_stars(source_card.adjusted.average)} adjusted")

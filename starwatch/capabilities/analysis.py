"""Analyse texts given by the user: what ``starwatch analyze`` prints, one result per input.

Input, one text per line: plain text, or a JSON object with ``text`` and optional ``rating``
(1-5 stars the author gave), ``language`` (a hint, used when detection is unsure) and ``id``
(echoed back). Blank lines are skipped. A line that cannot be read (broken JSON, no ``text``,
a rating out of range) still gives a result, with ``error`` saying what to fix: nothing is lost
and the line numbers of the output always match the input.

Each result holds the language, the sentiment (score in [-1, 1], label, predicted stars), the
aspects with their sentiment and sentences, and the integrity and solicitation flags with their
evidence, or ``unscorable_reason`` when there is no sentiment, and the authenticity signals a
single text can show (``workers.authenticity.text_signals``), each with its reason. Texts are analysed in batches of
``analysis.batch_size``.

Settings read: ``analysis.*`` (model and aspect definitions, via ``workers.analysis.scorers``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from config.settings import Settings
from workers.analysis.analyzer import Analysis, Analyzer
from workers.analysis.scorers import analyzer_for


@dataclass(frozen=True)
class AnalysisInput:
    """One input line once read: its number, the text and what came with it, or why it is unreadable."""

    line: int
    text: str | None
    rating: float | None = None
    language: str | None = None
    id: Any = None
    error: str | None = None


def read_input_line(number: int, line: str) -> AnalysisInput | None:
    """The input on one line, ``None`` for a blank line (see the module docstring for the format)."""
    stripped = line.strip()
    if not stripped:
        return None
    if not stripped.startswith("{"):
        return AnalysisInput(number, stripped)
    try:
        row = json.loads(stripped)
    except json.JSONDecodeError as exc:
        return AnalysisInput(number, None, error=f"line {number}: not valid JSON ({exc.msg} at column {exc.colno}); "
                                                 "write one JSON object per line, or plain text")
    text = row.get("text") if isinstance(row, dict) else None
    if not isinstance(text, str):
        return AnalysisInput(number, None, id=row.get("id") if isinstance(row, dict) else None,
                             error=f"line {number}: a JSON line needs a \"text\" string, e.g. {{\"text\": \"Great coffee\"}}")
    rating, language = row.get("rating"), row.get("language")
    if rating is not None and (isinstance(rating, bool) or not isinstance(rating, (int, float)) or not 0 <= rating <= 5):
        return AnalysisInput(number, text, language=language if isinstance(language, str) else None, id=row.get("id"),
                             error=f"line {number}: \"rating\" must be a number of stars from 0 to 5 (got {rating!r})")
    return AnalysisInput(number, text, rating, language if isinstance(language, str) else None, row.get("id"))


def analysis_result(item: AnalysisInput, analysis: Analysis | None) -> dict[str, Any]:
    """The JSON-ready result of one input."""
    result: dict[str, Any] = {"line": item.line}
    if item.id is not None:
        result["id"] = item.id
    if item.error:
        result["error"] = item.error
    if analysis is None:
        return result
    sentiment = None
    if analysis.sentiment_score is not None:
        sentiment = {"score": analysis.sentiment_score, "label": analysis.sentiment_label, "stars": analysis.sentiment_stars}
    result.update(
        language=analysis.language, sentiment=sentiment, unscorable_reason=analysis.unscorable_reason,
        aspects=[{"aspect": a.name, "score": a.score, "label": a.label, "sentences": list(a.sentences)} for a in analysis.aspects],
        flags=analysis.flags,
        evidence=[{"flag": e.flag, "match": e.match, "start": e.start, "end": e.end, "sentence": e.sentence}
                  for e in analysis.evidence],
        truncated=analysis.truncated,
    )
    result["authenticity"] = _authenticity_signals(item, analysis)
    if item.rating is not None:
        result["rating"] = item.rating
        if analysis.sentiment_stars is not None:
            result["rating_gap"] = round(analysis.sentiment_stars - item.rating, 2)
    return result


def _authenticity_signals(item: AnalysisInput, analysis: Analysis) -> list[dict[str, Any]]:
    """What one text alone says about its authenticity (machine-written, generic praise, incentive,
    a rating its words contradict), each with its reason. Tests that need the entity's other
    reviews (bursts, duplicates, reviewers) run in ``starwatch authenticity`` instead."""
    from workers.authenticity.text_signals import authenticity_signals_for_text

    if not item.text:
        return []
    try:
        signals = authenticity_signals_for_text(item.text, item.rating)
    except Exception as exc:  # noqa: BLE001 - one text's signals must never stop the run
        return [{"flag": "authenticity:unavailable", "reason": f"{type(exc).__name__}: {exc}", "figures": {}}]
    return [{"flag": s.flag, "reason": s.reason, "figures": s.figures} for s in signals]


def analyze_lines(lines: Iterable[str], settings: Settings, analyzer: Analyzer | None = None) -> Iterator[dict[str, Any]]:
    """One result per non-blank input line, in order, analysed in batches.

    Example::

        for result in analyze_lines(["Super café !", '{"text": "Cold coffee", "rating": 1}'], settings):
            print(result["sentiment"]["label"])
    """
    analyzer = analyzer or analyzer_for(settings)
    batch: list[AnalysisInput] = []
    for number, line in enumerate(lines, start=1):
        item = read_input_line(number, line)
        if item is None:
            continue
        batch.append(item)
        if len(batch) >= settings.analysis.batch_size:
            yield from _analysed(batch, analyzer)
            batch = []
    yield from _analysed(batch, analyzer)


def _analysed(batch: list[AnalysisInput], analyzer: Analyzer) -> Iterator[dict[str, Any]]:
    readable = [item for item in batch if item.text is not None]
    analyses = iter(analyzer.analyze_batch([i.text for i in readable], [i.language for i in readable]))
    for item in batch:
        yield analysis_result(item, next(analyses) if item.text is not None else None)


def summary_line(result: dict[str, Any]) -> str:
    """One readable line for a result (what ``starwatch analyze`` prints without ``--json``)."""
    head = f"{result['line']}:"
    if "language" not in result:
        return f"{head} error: {result['error']}"
    sentiment = result["sentiment"]
    feeling = (f"{sentiment['label']} {sentiment['score']:+.2f} ({sentiment['stars']:.1f}★)"
               if sentiment and sentiment["stars"] is not None
               else f"{sentiment['label']} {sentiment['score']:+.2f}" if sentiment
               else f"unscorable: {result['unscorable_reason']}")
    aspects = ", ".join(f"{a['aspect']} {a['score']:+.2f}" if a["score"] is not None else a["aspect"] for a in result["aspects"])
    parts = [head, result["language"] or "??", feeling]
    if aspects:
        parts.append(f"| aspects: {aspects}")
    if result["flags"]:
        parts.append(f"| flags: {', '.join(result['flags'])}")
    if result.get("error"):
        parts.append(f"| warning: {result['error']}")
    return " ".join(parts)

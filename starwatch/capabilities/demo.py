"""The demo: the whole pipeline on the embedded default, with no service to install.

It serves three invented cafés on loopback (``starwatch.demo.site``), crawls them with the real
schema.org spider, analyses and indexes the reviews in SQLite with in-process tasks, grades the
authenticity of every café's reviews, evaluates the alert rules and delivers the alert emails to a local SMTP catcher that saves ``.eml`` files.
Everything it writes goes to one data directory, which it empties first (its own files only),
so that each run starts from scratch and the planted rating dip fires again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import yaml

from config import Settings
from starwatch.capabilities.alerting import run_alert_rules
from starwatch.capabilities.collection import crawl_sources
from starwatch.capabilities.comparison import GroupComparison, compare_group
from starwatch.capabilities.mentions import search_mentions
from starwatch.capabilities.stores import open_store
from search.backends.base import SearchQuery
from search.backends.snippets import snippet_to_text
from starwatch.demo.site import DemoSite, demo_site
from starwatch.mailcatcher import MailCatcher

DEMO_FILES = ("starwatch.sqlite", "starwatch.sqlite-wal", "starwatch.sqlite-shm", "starwatch.yaml", "author.salt")
DEMO_SEARCH = "attente OR waited"


@dataclass
class DemoAlert:
    entity_id: str
    subject: str
    email: str | None


@dataclass
class DemoAuthenticity:
    entity_id: str
    grade: str
    average: float | None
    adjusted: float | None
    campaigns: int


@dataclass
class DemoSummary:
    data_dir: str
    config_file: str
    entities: int
    reviews_collected: int
    reviews_indexed: int
    reviews_scored: int
    reviews_dropped: dict[str, int]
    alerts_fired: int
    alerts: list[DemoAlert]
    authenticity: list[DemoAuthenticity]
    emails: list[str]
    comparison: GroupComparison
    search_query: str
    search_total: int
    search_examples: list[str] = field(default_factory=list)


def demo_settings(site: DemoSite, data_dir: Path, smtp_port: int, log_level: str = "INFO") -> dict:
    """The demo's configuration, as the YAML a user would write (saved next to the data)."""
    data = site.data
    return {
        "crawl": {"allow_loopback": True, "download_delay_seconds": 0, "autothrottle": False,
                  "log_level": log_level},
        "store": {"backend": "sqlite", "sqlite_path": str(data_dir / "starwatch.sqlite")},
        "tasks": {"mode": "inprocess"},
        "smtp": {"host": "127.0.0.1", "port": smtp_port, "security": "none",
                 "sender": "starwatch demo <alerts@starwatch.invalid>"},
        "privacy": {"salt_file": str(data_dir / "author.salt")},
        "alerts": {"rules": [{"id": "rating-drop", "type": "rating_drop", "recent_days": 7,
                              "baseline_days": 30, "min_recent_reviews": 5,
                              "min_baseline_reviews": 5, "min_drop": 0.3}]},
        "groups": [data["group"]],
        "entities": [
            {"id": b["id"], "name": b["name"], "group": data["group"]["id"], "language": b["language"],
             "recipients": b["recipients"],
             "sources": [{"id": f"{b['id']}-site", "type": "schema_org", "url": site.url_for(b["id"])}]}
            for b in data["businesses"]
        ],
    }


def _prepare(data_dir: Path) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in DEMO_FILES:
        (data_dir / name).unlink(missing_ok=True)
    outbox = data_dir / "outbox"
    if outbox.is_dir():
        for old in outbox.glob("*.eml"):
            old.unlink()
    return outbox


def run_demo(data_dir: Path, *, now: datetime | None = None, log_level: str = "INFO") -> DemoSummary:
    """Run the whole pipeline once on the bundled demo businesses; see the module docstring."""
    data_dir = data_dir.resolve()
    outbox = _prepare(data_dir)
    now = now or datetime.now(timezone.utc)
    with demo_site(now) as site, MailCatcher(outbox) as catcher:
        raw = demo_settings(site, data_dir, catcher.port, log_level)
        settings = Settings(**raw)
        report = crawl_sources(settings)
        with open_store(settings) as store:
            store.refresh()
            indexed = store.count("review")
            scored = store.search(SearchQuery(kinds=["review"], limit=1,
                                              sentiment_labels=["negative", "neutral", "positive"])).total
        authenticity = _assess_authenticity(settings, now)
        run = run_alert_rules(settings, now=now)
        comparison = compare_group(settings, site.data["group"]["id"], now=now)
        found = search_mentions(settings, DEMO_SEARCH, limit=3)
    config_file = data_dir / "starwatch.yaml"
    raw["smtp"]["port"] = 1025  # the catcher is gone; point at a conventional dev catcher port
    config_file.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    alerts = [DemoAlert(f.incident.entity_id, f.subject, None) for f in run.fired]
    for alert, path in zip(alerts, catcher.saved):
        alert.email = str(path)
    return DemoSummary(
        data_dir=str(data_dir), config_file=str(config_file),
        entities=len(settings.entities),
        reviews_collected=report.reviews_collected, reviews_indexed=indexed, reviews_scored=scored,
        reviews_dropped=dict(report.dropped), alerts_fired=len(run.fired), alerts=alerts,
        authenticity=authenticity,
        emails=[str(p) for p in catcher.saved], comparison=comparison,
        search_query=DEMO_SEARCH, search_total=found.total,
        search_examples=[_one_line(snippet_to_text(hit.snippet) if hit.snippet else hit.document.text)
                         for hit in found.hits],
    )


def _assess_authenticity(settings: Settings, now: datetime) -> list[DemoAuthenticity]:
    """Grade every business's reviews (what the hourly worker task does), before comparing them."""
    from workers.authenticity.assess import assess_entities

    with open_store(settings) as store:
        assessment = assess_entities(settings, store, now=now)
    return [DemoAuthenticity(card.entity_id, card.grade, card.average, card.adjusted.average,
                             len(card.campaign_ids))
            for card in assessment.cards if card.source is None]


def _one_line(text: str, width: int = 110) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"

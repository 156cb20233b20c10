"""The system's data contract: the typed records every stage exchanges.

Crawlers produce ``Review``, ``Mention`` and ``RatingSnapshot`` records, workers enrich them,
the store indexes them and alerts read them back. ``Entity`` and ``Source`` describe what is
watched; they arrive as data from the YAML configuration, never as code.

Why ids are computed here: crawling the same page twice must never duplicate anything, so a
record's id depends only on what identifies it at its source (the configured source and the
platform's own review id) or, where the platform exposes no id, on a fingerprint of its
content. Every backend upserts by that id.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

SentimentLabel = Literal["negative", "neutral", "positive"]
DocumentKind = Literal["review", "mention"]

_ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"


def utcnow() -> datetime:
    """Aware UTC now; one place so that tests can reason about time zones."""
    return datetime.now(timezone.utc)


def _digest(*parts: object) -> str:
    joined = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:24]


def normalize_text_for_fingerprint(text: str) -> str:
    """Lowercase, strip accents and collapse whitespace so cosmetic re-rendering keeps the id."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", without_marks).strip().lower()


def make_review_id(
    source: str,
    external_id: str | None = None,
    *,
    text: str | None = None,
    author_hash: str | None = None,
    published_at: datetime | None = None,
) -> str:
    """Stable review id: source + platform id, or a content fingerprint when there is no id.

    >>> make_review_id("cafe-site", "r-17") == make_review_id("cafe-site", "r-17")
    True
    """
    if external_id:
        return "r_" + _digest(source, "id", external_id)
    day = published_at.date().isoformat() if published_at else ""
    return "r_" + _digest(source, "fp", author_hash, day, normalize_text_for_fingerprint(text or ""))


def make_mention_id(source: str, url: str | None, text: str) -> str:
    """Stable mention id from where it was found and what it says."""
    return "m_" + _digest(source, url, normalize_text_for_fingerprint(text))


def make_snapshot_id(source: str, entity_id: str, observed_at: datetime) -> str:
    """One snapshot per source, entity and observation time."""
    return "s_" + _digest(source, entity_id, observed_at.isoformat())


def hash_author(name: str | None, salt: str) -> str | None:
    """Salted hash of a reviewer name: lets authenticity tests say "same author" without storing who.

    Names are case- and space-normalised first so "Jean  Dupont" and "jean dupont" match.
    """
    if not name or not name.strip():
        return None
    normalized = re.sub(r"\s+", " ", name).strip().casefold()
    return "a_" + hashlib.sha256((salt + "\x1f" + normalized).encode("utf-8")).hexdigest()[:32]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    @field_validator("published_at", "collected_at", "observed_at", mode="after", check_fields=False)
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        """Naive datetimes are taken as UTC so that comparisons never mix naive and aware."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


class _PublishedText(_Record):
    """What reviews and mentions share: the published text and what the analysis learnt from it."""

    title: str | None = None
    text: str = ""
    language: str | None = None
    published_at: datetime | None = None
    collected_at: datetime = Field(default_factory=utcnow)
    url: str | None = None
    sentiment_score: float | None = Field(default=None, ge=-1, le=1)
    sentiment_label: SentimentLabel | None = None
    aspects: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    # Filled by workers.analysis (issue 4); defaults keep older records valid.
    sentiment_stars: float | None = Field(default=None, ge=1, le=5, description="stars (1-5) the text reads as")
    aspect_sentiments: dict[str, float] = Field(
        default_factory=dict, description="aspect name (one of aspects) -> mean sentiment (-1..1) of its sentences")
    flag_evidence: dict[str, str] = Field(
        default_factory=dict, description="flag (one of flags) -> the sentence that shows it")


class Review(_PublishedText):
    """One customer review as published on a platform, plus what the workers learnt from it.

    ``rating`` is always on the 0–5 scale; ``rating_original`` with ``rating_best`` and
    ``rating_worst`` keep what the platform displayed (for example 9 on a 1–10 scale).
    """

    kind: Literal["review"] = "review"
    review_id: str
    source: str = Field(description="configured source id the review was collected from")
    platform: str = Field(description="source type, e.g. schema_org")
    external_id: str | None = None
    entity_id: str
    author_hash: str | None = Field(default=None, description="salted hash of the reviewer name")
    rating: float | None = Field(default=None, ge=0, le=5)
    rating_original: float | None = None
    rating_best: float | None = None
    rating_worst: float | None = None
    authenticity_weight: float | None = Field(
        default=None, ge=0, le=1,
        description="how much this review counts in authenticity-adjusted averages (1 = fully, 0 = "
        "not at all); None until an authenticity check has scored it",
    )
    authenticity_reasons: dict[str, str] = Field(
        default_factory=dict,
        description="authenticity flag -> why it was raised, in plain words (workers.authenticity)",
    )

    @property
    def doc_id(self) -> str:
        return self.review_id


class Mention(_PublishedText):
    """Text about an entity found in news, blogs or forums: no rating."""

    kind: Literal["mention"] = "mention"
    mention_id: str
    source: str
    platform: str
    entity_id: str
    matched_span: str | None = None

    @property
    def doc_id(self) -> str:
        return self.mention_id


class RatingSnapshot(_Record):
    """The average and count a platform displays for an entity at one moment.

    Kept apart from reviews on purpose: platforms show ratings without text (app stores) and
    averages over reviews we never see, so the displayed figure is its own time series.
    """

    snapshot_id: str
    source: str
    platform: str
    entity_id: str
    average: float = Field(ge=0, le=5)
    average_original: float | None = None
    rating_best: float | None = None
    rating_count: int | None = Field(default=None, ge=0)
    review_count: int | None = Field(default=None, ge=0)
    observed_at: datetime = Field(default_factory=utcnow)
    url: str | None = None


class Source(BaseModel):
    """Where an entity's reviews or mentions are collected from (data, not code)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=_ID_PATTERN)
    type: Literal["schema_org", "trustpilot", "app_store", "google_play", "feed", "sitemap"] = Field(
        description="source type, selects the base spider (crawlers/platforms/)"
    )
    url: str = Field(description="first page to crawl (app stores: the store's base URL)")
    max_pages: int = Field(default=50, ge=1, le=10_000)
    interval_minutes: int = Field(default=360, ge=1)
    # Per-type options (issue 3); every default keeps older configurations valid.
    app_id: str | None = Field(default=None, description="app_store: numeric app id; google_play: package name")
    countries: list[str] = Field(default_factory=lambda: ["us"], description="app stores: storefront country codes")
    language: str | None = Field(default=None, description="google_play: review language (hl); feeds: language hint")
    keywords: list[str] = Field(default_factory=list, description="feed: extra words that make an entry a mention")
    page_url_pattern: str | None = Field(default=None, description="pagination by URL, e.g. https://x/avis?page={page}")
    load_more_url: str | None = Field(default=None, description="JSON 'load more' endpoint with {page} or {offset}")
    url_pattern: str | None = Field(default=None, description="sitemap: regular expression of the page URLs to read")
    backfill_max_pages: int = Field(default=1000, ge=1, le=100_000, description="page cap of a --backfill crawl")
    backfill_interval_minutes: int | None = Field(
        default=10_080, ge=1, description="a full listing (backfill) at most this often; None: only on demand"
    )
    languages: list[str] = Field(
        default_factory=list,
        description="languages the pages should be in (ISO 639-1, e.g. [fr, en]); a page declared or detected "
        "in another is counted in the crawl stats (starwatch/pages/unexpected_language); empty: no check",
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("expected an http:// or https:// URL")
        return value

    @field_validator("languages")
    @classmethod
    def _language_codes(cls, value: list[str]) -> list[str]:
        codes = [code.strip().lower() for code in value]
        bad = [code for code in codes if not re.fullmatch(r"[a-z]{2,3}", code)]
        if bad:
            raise ValueError(f"languages must be ISO 639-1 codes such as fr or en (got {bad})")
        return codes

    @model_validator(mode="after")
    def _type_options(self) -> "Source":
        if self.type in ("app_store", "google_play") and not self.app_id:
            raise ValueError(f"a {self.type} source needs app_id (the store's id of the app)")
        for name in ("page_url_pattern", "load_more_url"):
            pattern = getattr(self, name)
            if pattern and "{page}" not in pattern and "{offset}" not in pattern:
                raise ValueError(f"{name} must contain {{page}} or {{offset}} (got {pattern!r})")
        if self.url_pattern:
            try:
                re.compile(self.url_pattern)
            except re.error as exc:
                raise ValueError(f"url_pattern is not a valid regular expression: {exc}") from None
        return self


class Entity(BaseModel):
    """A business or product we watch, its competitor group, its sources and who gets alerts."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=_ID_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    group: str | None = Field(default=None, pattern=_ID_PATTERN)
    aliases: list[str] = Field(default_factory=list)
    language: Literal["en", "fr"] = Field(default="en", description="language of alert emails")
    recipients: list[EmailStr] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _single_line(cls, value: str) -> str:
        # Names end up in email subjects: a CR or LF there would be a header injection.
        if "\r" in value or "\n" in value:
            raise ValueError("must be a single line (no CR or LF)")
        return value


class Incident(BaseModel):
    """One firing of an alert rule for one entity, kept so that a rule fires once, not every run."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    incident_id: str
    rule_id: str
    rule_type: str
    entity_id: str
    status: Literal["open", "resolved"] = "open"
    opened_at: datetime
    resolved_at: datetime | None = None
    notified_at: datetime | None = None
    summary: str = ""
    details: dict = Field(default_factory=dict)
    # Lifecycle fields (alerting, issue 7); every default keeps incidents saved before them loading.
    sequence: int = Field(default=0, ge=0, description="nth incident of this rule and entity; part of its id")
    audience: Literal["customers", "operators"] = "customers"
    historical: bool = Field(default=False, description="recorded by a backfill or first run: never emailed")
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    clear_since: datetime | None = Field(default=None, description="since when the condition has been clear")
    last_alerted_at: datetime | None = Field(default=None, description="when its last email event was recorded")
    alert_count: int = Field(default=0, ge=0, description="update and reminder events recorded so far")
    evidence_ids: list[str] = Field(default_factory=list, description="review ids already reported")
    resolution: Literal["cleared", "manual", "backfill_end"] | None = None
    resolved_by: str | None = None

    @model_validator(mode="after")
    def _resolved_has_time(self) -> "Incident":
        if self.status == "resolved" and self.resolved_at is None:
            raise ValueError("a resolved incident needs resolved_at")
        return self

    @staticmethod
    def key(rule_id: str, entity_id: str) -> str:
        return f"{rule_id}:{entity_id}"


DeliveryStatus = Literal["pending", "sending", "sent", "failed", "cancelled", "merged"]
AlertEvent = Literal["opened", "resolved", "update", "reminder", "overflow", "digest"]


class AlertDelivery(BaseModel):
    """One email of the alert delivery log: what to send, to whom, and how far it got.

    Keyed by ``delivery_id`` (derived from the incident event and the recipient), so recording the
    same event twice is a no-op and a claimed send is never repeated (see ``workers.alerts.delivery``).
    The rendered subject and bodies are kept, so any worker can send it later without re-reading.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    delivery_id: str
    event_id: str
    event: AlertEvent
    recipient: str
    language: Literal["en", "fr"] = "en"
    incident_id: str | None = None
    rule_id: str | None = None
    entity_id: str | None = None
    subject: str = ""
    text: str = ""
    html: str = ""
    created_at: datetime
    not_before: datetime = Field(description="not sent before this time (cooldown, retry backoff)")
    status: DeliveryStatus = "pending"
    attempts: int = Field(default=0, ge=0)
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    message_id: str | None = None
    last_error: str | None = None
    merged_into: str | None = Field(default=None, description="the overflow summary that replaced it")

    @field_validator("created_at", "not_before", "claimed_at", "sent_at", mode="after")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value

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


class Review(_Record):
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

    @property
    def doc_id(self) -> str:
        return self.review_id


class Mention(_Record):
    """Text about an entity found in news, blogs or forums: no rating."""

    kind: Literal["mention"] = "mention"
    mention_id: str
    source: str
    platform: str
    entity_id: str
    title: str | None = None
    text: str = ""
    language: str | None = None
    published_at: datetime | None = None
    collected_at: datetime = Field(default_factory=utcnow)
    url: str | None = None
    matched_span: str | None = None
    sentiment_score: float | None = Field(default=None, ge=-1, le=1)
    sentiment_label: SentimentLabel | None = None
    aspects: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)

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
    type: Literal["schema_org"] = Field(description="source type, selects the base spider")
    url: str = Field(description="first page to crawl")
    max_pages: int = Field(default=50, ge=1, le=10_000)
    interval_minutes: int = Field(default=360, ge=1)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("expected an http:// or https:// URL")
        return value


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

    @model_validator(mode="after")
    def _resolved_has_time(self) -> "Incident":
        if self.status == "resolved" and self.resolved_at is None:
            raise ValueError("a resolved incident needs resolved_at")
        return self

    @staticmethod
    def key(rule_id: str, entity_id: str) -> str:
        return f"{rule_id}:{entity_id}"

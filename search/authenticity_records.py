"""Records of the authenticity stage: an entity's report card and its suspected review campaigns.

``workers.authenticity`` computes them; the store keeps them (``ReviewStore.replace_authenticity``,
``get_authenticity_cards``, ``list_campaigns``) so that the CLI, the comparison and the alert
engine read the last assessment without recomputing it.

- ``AuthenticityCard``: ReviewMeta-style report card of one entity (``source`` None: all its
  sources together) or of one of its sources: every test with pass / warn / fail (or not run, and
  why) and the numbers behind it, an overall grade and an adjusted rating with its interval.
- ``Campaign``: suspicious reviews that belong together (same phrasing, same days, same authors,
  the same solicitation, or a stream with its low ratings missing), shown as one unit with its
  evidence. Member reviews carry the flag ``campaign:<campaign_id>``.

Ids are computed here so that re-assessing the same data gives the same ids. Reads no settings.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

TestStatus = Literal["pass", "warn", "fail", "not_run"]
Grade = Literal["pass", "warn", "fail", "not_enough_data"]
CampaignKind = Literal["same_phrasing", "same_days", "same_authors", "solicitation", "gated_stream"]
CAMPAIGN_FLAG_PREFIX = "campaign:"


def make_card_id(entity_id: str, source: str | None = None) -> str:
    """One card per entity (all sources) and one per entity and source."""
    return f"{entity_id}/{source}" if source else entity_id


def make_campaign_id(entity_id: str, kind: str, first_review_id: str) -> str:
    """Stable while the campaign keeps its earliest member: ``c_`` + 16 hex digits."""
    joined = "\x1f".join((entity_id, kind, first_review_id))
    return "c_" + hashlib.sha1(joined.encode("utf-8")).hexdigest()[:16]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    @field_validator("computed_at", "detected_at", "first_published", "last_published",
                     mode="after", check_fields=False)
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


class CardTest(BaseModel):
    """One line of a report card: a named test, its verdict, the numbers and the words behind it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="ReviewMeta's name where one exists, e.g. 'Rating Trend'")
    status: TestStatus
    summary: str = Field(description="what was found, in plain words, or why the test was not run")
    figures: dict[str, Any] = Field(default_factory=dict, description="the numbers behind the verdict")


class AdjustedRating(BaseModel):
    """Average after down-weighting suspicious reviews, with a 95 % interval."""

    model_config = ConfigDict(extra="forbid")

    average: float | None = None
    low: float | None = None
    high: float | None = None
    effective_reviews: float = Field(default=0.0, description="summed weights: how many reviews' worth remain")
    enough_to_judge: bool = False
    note: str = ""


class AuthenticityCard(_Record):
    """The report card of one entity, or of one of its sources."""

    card_id: str
    entity_id: str
    source: str | None = Field(default=None, description="None: every source of the entity together")
    computed_at: datetime
    grade: Grade
    grade_reason: str = ""
    review_count: int = Field(ge=0)
    rated_count: int = Field(default=0, ge=0)
    average: float | None = None
    adjusted: AdjustedRating = Field(default_factory=AdjustedRating)
    tests: list[CardTest] = Field(default_factory=list)
    campaign_ids: list[str] = Field(default_factory=list)
    flagged_reviews: dict[str, int] = Field(default_factory=dict, description="flag -> how many reviews carry it")

    def test(self, name: str) -> CardTest | None:
        return next((test for test in self.tests if test.name == name), None)


class Campaign(_Record):
    """Suspicious reviews surfaced as one unit, with the evidence that ties them together."""

    campaign_id: str
    entity_id: str = Field(description="the entity most of its reviews are about")
    entity_ids: list[str] = Field(description="every entity it touches (a campaign may span competitors)")
    kinds: list[CampaignKind]
    review_ids: list[str]
    size: int = Field(ge=1)
    first_published: datetime | None = None
    last_published: datetime | None = None
    average_rating: float | None = None
    summary: str
    evidence: dict[str, Any] = Field(default_factory=dict)
    detected_at: datetime

    @property
    def flag(self) -> str:
        return CAMPAIGN_FLAG_PREFIX + self.campaign_id

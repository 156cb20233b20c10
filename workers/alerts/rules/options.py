"""The options of every rule type, as typed models: the single source of ``config/rules.schema.json``.

A rule file (``config/rules/*.yaml``) holds one rule: ``id``, ``type`` and that type's options.
Each model below declares every key with its default and a description; the JSON Schema that
editors and the loader validate against is generated from them (``python -m
workers.alerts.schema``), and a test keeps the committed file in step.

Keys shared by every type (``RuleOptions``):

- ``entities`` / ``groups``: who is watched (default: every configured entity);
- ``overrides``: per-entity or per-group values of the type's own keys (group overrides apply
  first, entity overrides last, so the most specific wins);
- ``cooldown_hours``: at least this long between two emails about the same rule and entity
  (a re-opening inside it is emailed when the cooldown ends, or never if it resolves first);
- ``realert_hours``: remind about an open, unacknowledged incident this often (default never);
- ``resolve_after_hours``: the condition must stay clear this long before the incident resolves;
- ``notify_resolved``: send the "resolved" email.

Reads no settings; the loader (``workers.alerts.loader``) builds these from files and settings.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
# Keys of RuleOptions that an override may not change: identity and targeting.
NOT_OVERRIDABLE = frozenset({"id", "type", "description", "enabled", "entities", "groups", "overrides"})


class Override(BaseModel):
    """Values for some entities or groups; the keys allowed are the rule type's own (checked by the loader)."""

    model_config = ConfigDict(extra="allow")

    entities: list[str] | None = Field(default=None, description="(Optional) entity ids these values apply to")
    groups: list[str] | None = Field(default=None, description="(Optional) competitor groups these values apply to")


class RuleOptions(BaseModel):
    """Keys every rule type has."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=ID_PATTERN, description="(Required) unique rule id, used in incidents and emails")
    description: str | None = Field(default=None, max_length=500, description="(Optional) what the rule is for")
    enabled: bool = Field(default=True, description="(Optional) false keeps the file but never evaluates it")
    entities: list[str] | None = Field(default=None, description="(Optional) entity ids to watch; default all")
    groups: list[str] | None = Field(default=None, description="(Optional) also watch every member of these groups")
    cooldown_hours: float = Field(default=0, ge=0, le=24 * 365,
                                  description="(Optional) minimum time between two emails for one rule and entity")
    realert_hours: float | None = Field(default=None, gt=0, le=24 * 365,
                                        description="(Optional) remind about an open, unacknowledged incident this often")
    overrides: list[Override] = Field(default_factory=list,
                                      description="(Optional) per-entity or per-group values of this type's keys")


class _WindowRule(RuleOptions):
    resolve_after_hours: float = Field(default=24, ge=0, le=24 * 365,
                                       description="(Optional) the condition must stay clear this long to resolve")
    notify_resolved: bool = Field(default=True, description="(Optional) email when the incident resolves")


class _EventRule(RuleOptions):
    resolve_after_hours: float = Field(default=0, ge=0, le=24 * 365,
                                       description="(Optional) quiet time after the last matching review before resolving")
    notify_resolved: bool = Field(default=False, description="(Optional) email when the incident resolves")


class RatingDropOptions(_WindowRule):
    """Average rating of the last ``recent_days`` against the ``baseline_days`` just before."""

    type: Literal["rating_drop"] = Field(description="(Required) rating_drop")
    recent_days: int = Field(default=7, ge=1, le=365, description="(Optional) the recent window, in days")
    baseline_days: int = Field(default=30, ge=1, le=3650, description="(Optional) the baseline window before it")
    min_recent_reviews: int = Field(default=5, ge=1, description="(Optional) never alert on fewer recent reviews")
    min_baseline_reviews: int = Field(default=5, ge=1, description="(Optional) never alert on a thinner baseline")
    min_drop: float | None = Field(default=None, gt=0, le=5,
                                   description="(Optional) stars; default 0.3 when min_drop_percent is unset too")
    min_drop_percent: float | None = Field(default=None, gt=0, le=100,
                                           description="(Optional) drop as a percentage of the baseline average")
    smoothing_weight: float = Field(default=0, ge=0, le=1000,
                                    description="(Optional) Bayesian prior weight, in reviews (0: no smoothing)")
    smoothing_mean: float | None = Field(default=None, ge=0, le=5,
                                         description="(Optional) prior mean; default the entity's baseline average")


class DisplayedRatingDropOptions(_WindowRule):
    """The average a platform displays (RatingSnapshots), now against ``window_days`` ago."""

    type: Literal["displayed_rating_drop"] = Field(description="(Required) displayed_rating_drop")
    window_days: int = Field(default=7, ge=1, le=365, description="(Optional) compare with the display this long ago")
    min_drop: float | None = Field(default=0.1, gt=0, le=5, description="(Optional) stars")
    min_drop_percent: float | None = Field(default=None, gt=0, le=100, description="(Optional) percent of the old value")
    star_flip: bool = Field(default=True, description="(Optional) also fire when the rounded stars shown go down")
    round_to: float = Field(default=0.5, gt=0, le=1, description="(Optional) how the platform rounds stars (0.5 or 1)")
    min_rating_count: int = Field(default=10, ge=0, description="(Optional) ignore displays based on fewer ratings")


class NewNegativeReviewOptions(_EventRule):
    """Every new review at or below ``max_rating`` stars, at once."""

    type: Literal["new_negative_review"] = Field(description="(Required) new_negative_review")
    max_rating: float = Field(default=2, ge=0, le=5, description="(Optional) stars, inclusive")
    max_age_hours: float = Field(default=72, gt=0, le=24 * 365,
                                 description="(Optional) older reviews are history, never emailed")


class _SpikeRule(_WindowRule):
    window_hours: float = Field(default=24, gt=0, le=24 * 31, description="(Optional) the current window")
    baseline_windows: int = Field(default=28, ge=2, le=120,
                                  description="(Optional) windows of the same length before it, forming the baseline")
    min_ratio: float | None = Field(default=2.0, gt=1, description="(Optional) current / baseline mean")
    min_stddevs: float | None = Field(default=2.0, gt=0, description="(Optional) standard deviations above the mean")


class NegativeSpikeOptions(_SpikeRule):
    """More negative reviews in the current window than the baseline explains."""

    type: Literal["negative_spike"] = Field(description="(Required) negative_spike")
    negative_max_rating: float | None = Field(default=2, ge=0, le=5,
                                              description="(Optional) a review this low is negative")
    negative_sentiment: bool = Field(default=False, description="(Optional) a negative sentiment also counts")
    min_count: int = Field(default=3, ge=1, description="(Optional) never fire on fewer negative reviews")

    @model_validator(mode="after")
    def _counts_something(self) -> "NegativeSpikeOptions":
        if self.negative_max_rating is None and not self.negative_sentiment:
            raise ValueError("set negative_max_rating (stars) or negative_sentiment: true, or nothing counts as negative")
        return self


class VolumeSpikeOptions(_SpikeRule):
    """Many more reviews than usual (good or bad): a campaign, an event, a viral post."""

    type: Literal["volume_spike"] = Field(description="(Required) volume_spike")
    min_ratio: float | None = Field(default=3.0, gt=1, description="(Optional) current / baseline mean")
    min_stddevs: float | None = Field(default=3.0, gt=0, description="(Optional) standard deviations above the mean")
    min_count: int = Field(default=10, ge=1, description="(Optional) never fire on fewer reviews")


class SentimentDropOptions(_WindowRule):
    """Mean sentiment (-1..1) of recent reviews against the baseline, overall and per aspect."""

    type: Literal["sentiment_drop"] = Field(description="(Required) sentiment_drop")
    recent_days: int = Field(default=7, ge=1, le=365, description="(Optional)")
    baseline_days: int = Field(default=30, ge=1, le=3650, description="(Optional)")
    min_recent_reviews: int = Field(default=5, ge=1, description="(Optional)")
    min_baseline_reviews: int = Field(default=5, ge=1, description="(Optional)")
    min_drop: float = Field(default=0.25, gt=0, le=2, description="(Optional) on the -1..1 sentiment scale")
    aspects: list[str] | None = Field(default=None, description='(Optional) aspects to watch too; ["*"] for all')
    min_aspect_reviews: int = Field(default=3, ge=1, description="(Optional) per aspect and window")


class _FlagRule(_EventRule):
    min_reviews: int = Field(default=1, ge=1, description="(Optional) flagged reviews needed to fire")


class IntegrityComplaintOptions(_FlagRule):
    """Reviews the analysis flagged ``integrity:*`` (hygiene, safety, fraud, discrimination...)."""

    type: Literal["integrity_complaint"] = Field(description="(Required) integrity_complaint")
    flag_prefixes: list[str] = Field(default_factory=lambda: ["integrity:"], min_length=1,
                                     description="(Optional) flags that count")
    max_age_hours: float = Field(default=168, gt=0, le=24 * 365, description="(Optional) older reviews are history")


class AuthenticityCampaignOptions(_FlagRule):
    """Reviews flagged ``campaign:*`` / ``authenticity:*``, for our entities and competitors."""

    type: Literal["authenticity_campaign"] = Field(description="(Required) authenticity_campaign")
    flag_prefixes: list[str] = Field(default_factory=lambda: ["campaign:", "authenticity:"], min_length=1,
                                     description="(Optional) flags that count")
    max_age_hours: float = Field(default=336, gt=0, le=24 * 365, description="(Optional) older reviews are history")
    min_reviews: int = Field(default=3, ge=1, description="(Optional) flagged reviews needed to fire")
    notify_competitors: bool = Field(default=True,
                                     description="(Optional) also tell the other members of the entity's group")


class CompetitorOvertakeOptions(_WindowRule):
    """A competitor of the same group passes us, or the gap to one moves against us by ``min_gap_change``."""

    type: Literal["competitor_overtake"] = Field(description="(Required) competitor_overtake")
    window_days: int = Field(default=30, ge=1, le=365,
                             description="(Optional) averages over this window and the one before")
    min_reviews: int = Field(default=5, ge=1, description="(Optional) per entity and window")
    smoothing_weight: float = Field(default=7, ge=0, le=1000, description="(Optional) Bayesian prior weight, in reviews")
    smoothing_mean: float = Field(default=3.5, ge=0, le=5, description="(Optional) Bayesian prior mean, in stars")
    overtake: bool = Field(default=True, description="(Optional) fire when a competitor passes us")
    min_gap_change: float | None = Field(default=None, gt=0, le=5,
                                         description="(Optional) fire when the gap moves against us by this many stars")


class SourceSilentOptions(_WindowRule):
    """A source with no new review, or whose crawls store nothing: for operators, never customers."""

    type: Literal["source_silent"] = Field(description="(Required) source_silent")
    silent_hours: float = Field(default=72, gt=0, le=24 * 365, description="(Optional) no review published for this long")
    stale_hours: float = Field(default=24, gt=0, le=24 * 365,
                               description="(Optional) no crawl stored a review for this long: crawling fails")
    resolve_after_hours: float = Field(default=0, ge=0, le=24 * 365, description="(Optional)")


RULE_OPTION_MODELS: tuple[type[RuleOptions], ...] = (
    RatingDropOptions, DisplayedRatingDropOptions, NewNegativeReviewOptions, NegativeSpikeOptions,
    VolumeSpikeOptions, SentimentDropOptions, IntegrityComplaintOptions, AuthenticityCampaignOptions,
    CompetitorOvertakeOptions, SourceSilentOptions,
)
OPTIONS_BY_TYPE: dict[str, type[RuleOptions]] = {
    model.model_fields["type"].annotation.__args__[0]: model for model in RULE_OPTION_MODELS
}
AnyRuleOptions = Annotated[Union[RULE_OPTION_MODELS], Field(discriminator="type")]  # type: ignore[valid-type]


def overridable_keys(model: type[RuleOptions]) -> list[str]:
    return [name for name in model.model_fields if name not in NOT_OVERRIDABLE]


def apply_override(options: RuleOptions, values: dict[str, Any]) -> RuleOptions:
    """``options`` with ``values`` replaced, validated again (so an override cannot break a bound)."""
    return type(options).model_validate({**options.model_dump(), **values, "overrides": []})

"""The authenticity flags a review can carry, what each one costs it, and the ``Signal`` record.

Every per-review finding is a ``Signal``: a flag (stored in ``Review.flags``, searchable, read by
the alert engine's ``authenticity_campaign`` rule), a reason in plain words (stored in
``Review.authenticity_reasons``) and the numbers behind it. A review's weight in the adjusted
rating is the product of its signals' factors (``FACTORS``), as ReviewMeta down-weights reviews
that fail its tests. Why these factors: a signal that proves little on its own (a one-review
author, a short "great!") costs little; wording that admits an incentive or a text shared
with other authors costs most; a member of a campaign does not count at all.

``authenticity:cross_listed`` is visible but costs nothing: the same review by the same author
shown on sibling listings (Amazon variants) is how platforms work, not fraud.
Reads no settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PREFIX = "authenticity:"
CAMPAIGN_PREFIX = "campaign:"

NEAR_DUPLICATE = PREFIX + "near_duplicate"
DUPLICATE_ACROSS_ENTITIES = PREFIX + "duplicate_across_entities"
SAME_AUTHOR_REPEAT = PREFIX + "same_author_repeat"
CROSS_LISTED = PREFIX + "cross_listed"
HIGH_VOLUME_DAY = PREFIX + "high_volume_day"
RATING_TEXT_MISMATCH = PREFIX + "rating_text_mismatch"
ONE_HIT_WONDER = PREFIX + "one_hit_wonder"
SINGLE_DAY_REVIEWER = PREFIX + "single_day_reviewer"
BRAND_MONOGAMIST = PREFIX + "brand_monogamist"
INCENTIVIZED = PREFIX + "incentivized"
SOLICITED = PREFIX + "solicited"
SHORT_GENERIC_PRAISE = PREFIX + "short_generic_praise"
MACHINE_GENERATED = PREFIX + "machine_generated"
GATED_STREAM = PREFIX + "gated_stream"

# weight factor of each flag (1 = no effect on the adjusted rating, 0 = not counted)
FACTORS: dict[str, float] = {
    NEAR_DUPLICATE: 0.2,
    DUPLICATE_ACROSS_ENTITIES: 0.2,
    SAME_AUTHOR_REPEAT: 0.5,
    CROSS_LISTED: 1.0,
    HIGH_VOLUME_DAY: 0.6,
    RATING_TEXT_MISMATCH: 0.7,
    ONE_HIT_WONDER: 0.9,
    SINGLE_DAY_REVIEWER: 0.6,
    BRAND_MONOGAMIST: 0.7,
    INCENTIVIZED: 0.3,
    SOLICITED: 0.5,
    SHORT_GENERIC_PRAISE: 0.85,
    MACHINE_GENERATED: 0.6,
    GATED_STREAM: 0.6,
}
CAMPAIGN_FACTOR = 0.0

# Signals that, on a review posted on a high-volume day, make it a candidate campaign member:
# a burst of ordinary reviews (a feature in the press) is not a campaign, a burst of these is.
# Not the one-hit wonder: the store holds only the watched businesses, so most genuine
# reviewers have one review here (3 in 4 on the real Yelp and Amazon streams).
SUSPICIOUS_TRAITS = frozenset({
    NEAR_DUPLICATE, DUPLICATE_ACROSS_ENTITIES, SINGLE_DAY_REVIEWER, BRAND_MONOGAMIST,
    INCENTIVIZED, SOLICITED, SHORT_GENERIC_PRAISE, MACHINE_GENERATED,
})

@dataclass(frozen=True)
class Signal:
    """One finding about one review: its flag, why (plain words) and the numbers behind it."""

    flag: str
    reason: str
    figures: dict[str, Any] = field(default_factory=dict)
    weight_factor: float | None = None  # overrides FACTORS (a gated-stream campaign flag costs nothing itself)

    @property
    def factor(self) -> float:
        if self.weight_factor is not None:
            return self.weight_factor
        if self.flag.startswith(CAMPAIGN_PREFIX):
            return CAMPAIGN_FACTOR
        return FACTORS.get(self.flag, 1.0)


def is_authenticity_flag(flag: str) -> bool:
    """Flags this stage owns (and rewrites on every assessment); other stages' flags are kept."""
    return flag.startswith(PREFIX) or flag.startswith(CAMPAIGN_PREFIX)

"""Turn raw items into normalised ones: 0–5 ratings, parsed dates, plain text, hashed authors.

Runs after validation, so every rating here parses. The displayed rating and its scale are kept
next to the 0–5 value. The reviewer name becomes ``hash_author(name, settings.author_salt())``
and the raw name goes no further than this pipeline. Dates are parsed with the review's (or the
page's) language as hint; relative dates are flagged so fingerprints can ignore them.

Reads ``STARWATCH_SETTINGS`` (for ``author_salt()``).
"""

from __future__ import annotations

import functools
import re

from crawlers.items import (
    NormalizedMention, NormalizedRatingSummary, NormalizedReview, RawMention, RawRatingSummary, RawReview,
)
from crawlers.parsers.dates import parse_review_date, read_review_date
from crawlers.parsers.ratings import RatingError, parse_count, parse_rating
from crawlers.parsers.text import clean_text
from crawlers.sources import starwatch_settings_from
from search.documents import hash_author

_LANGUAGE = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]+)*$", re.IGNORECASE)


@functools.lru_cache(maxsize=256)  # a site states a handful of tags, on every one of its reviews
def language_code(hint: str | None) -> str | None:
    """``"fr-FR"`` → ``"fr"``; None for anything that is not a language tag."""
    match = _LANGUAGE.match((hint or "").strip())
    return match[1].lower() if match else None


def _rating_or_none(item: RawReview):
    try:
        return parse_rating(item.rating_value, item.rating_best, item.rating_worst)
    except RatingError as error:
        if error.reason == "missing":  # a review without a rating; validation let it through
            return None
        raise


def _count_or_none(raw: object) -> int | None:
    try:
        return parse_count(raw)
    except RatingError:
        return None  # already counted as starwatch/field/<name>/invalid by validation


class NormalizeReviewPipeline:
    def __init__(self, author_salt: str):
        self.author_salt = author_salt

    @classmethod
    def from_crawler(cls, crawler):
        return cls(starwatch_settings_from(crawler.settings).author_salt())

    def process_item(self, item):
        if isinstance(item, RawReview):
            return self.normalize_review(item)
        if isinstance(item, RawRatingSummary):
            return self.normalize_summary(item)
        if isinstance(item, RawMention):
            return self.normalize_mention(item)
        return item

    def normalize_mention(self, item: RawMention) -> NormalizedMention:
        language = language_code(item.language_hint)
        return NormalizedMention(
            source_id=item.source_id, entity_id=item.entity_id, platform=item.platform, url=item.url,
            title=clean_text(item.title) or None, text=clean_text(item.text), language=language,
            published_at=parse_review_date(item.date, [language] if language else None),
            matched_span=clean_text(item.matched_span) or None,
        )

    def normalize_review(self, item: RawReview) -> NormalizedReview:
        rating = _rating_or_none(item)
        language = language_code(item.language_hint)
        published_at, relative = read_review_date(item.date, [language] if language else None)
        return NormalizedReview(
            source_id=item.source_id, entity_id=item.entity_id, platform=item.platform,
            url=item.url, external_id=(item.external_id or "").strip() or None,
            author_hash=hash_author(item.author_name, self.author_salt),
            rating=rating.value if rating else None,
            rating_original=rating.original if rating else None,
            rating_best=rating.best if rating else None,
            rating_worst=rating.worst if rating else None,
            title=clean_text(item.title) or None,
            text=clean_text(item.text),
            language=language,
            published_at=published_at,
            published_at_is_relative=relative,
        )

    def normalize_summary(self, item: RawRatingSummary) -> NormalizedRatingSummary:
        rating = parse_rating(item.rating_value, item.rating_best, item.rating_worst)
        return NormalizedRatingSummary(
            source_id=item.source_id, entity_id=item.entity_id, platform=item.platform, url=item.url,
            average=rating.value, average_original=rating.original, rating_best=rating.best,
            rating_count=_count_or_none(item.rating_count),
            review_count=_count_or_none(item.review_count),
            observed_at=item.observed_at,
        )

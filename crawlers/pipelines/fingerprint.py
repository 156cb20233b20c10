"""Build the final ``search.documents`` records, with ids that survive a re-crawl.

A review's id comes from ``make_review_id``: the source plus the platform's own review id when the
page gives one, else a fingerprint of the hashed author, the publication day and the text. A
relative date ("il y a 3 jours") is left out of that fingerprint, since it names a different day
on every crawl. A rating summary becomes a ``RatingSnapshot`` identified by source, entity and
observation time. A mention's id comes from ``make_mention_id``: the source, the entry's URL and
its text. No settings are read.
"""

from __future__ import annotations

from pydantic import ValidationError
from scrapy.exceptions import DropItem

from crawlers.items import NormalizedMention, NormalizedRatingSummary, NormalizedReview
from search.documents import Mention, RatingSnapshot, Review, make_mention_id, make_review_id, make_snapshot_id


def review_from(item: NormalizedReview) -> Review:
    """The ``Review`` record for a normalised review."""
    review_id = make_review_id(
        item.source_id,
        item.external_id,
        text=item.text,
        author_hash=item.author_hash,
        published_at=None if item.published_at_is_relative else item.published_at,
    )
    return Review(
        review_id=review_id, source=item.source_id, platform=item.platform, external_id=item.external_id,
        entity_id=item.entity_id, author_hash=item.author_hash, rating=item.rating,
        rating_original=item.rating_original, rating_best=item.rating_best, rating_worst=item.rating_worst,
        title=item.title, text=item.text, language=item.language, published_at=item.published_at, url=item.url,
    )


def snapshot_from(item: NormalizedRatingSummary) -> RatingSnapshot:
    """The ``RatingSnapshot`` record for a normalised rating summary."""
    return RatingSnapshot(
        snapshot_id=make_snapshot_id(item.source_id, item.entity_id, item.observed_at),
        source=item.source_id, platform=item.platform, entity_id=item.entity_id,
        average=item.average, average_original=item.average_original, rating_best=item.rating_best,
        rating_count=item.rating_count, review_count=item.review_count,
        observed_at=item.observed_at, url=item.url,
    )


def mention_from(item: NormalizedMention) -> Mention:
    """The ``Mention`` record for a normalised feed entry."""
    return Mention(
        mention_id=make_mention_id(item.source_id, item.url, " ".join(filter(None, (item.title, item.text)))),
        source=item.source_id, platform=item.platform, entity_id=item.entity_id, title=item.title,
        text=item.text, language=item.language, published_at=item.published_at, url=item.url,
        matched_span=item.matched_span,
    )


class FingerprintPipeline:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        try:
            if isinstance(item, NormalizedReview):
                return review_from(item)
            if isinstance(item, NormalizedRatingSummary):
                return snapshot_from(item)
            if isinstance(item, NormalizedMention):
                return mention_from(item)
        except ValidationError as error:
            # Normalisation should make this impossible; if it happens it is our bug, so say where.
            self.stats.inc_value("starwatch/dropped/invalid_record")
            raise DropItem(f"invalid_record: {error.errors()[0]['loc']} {error.errors()[0]['msg']}") from error
        return item

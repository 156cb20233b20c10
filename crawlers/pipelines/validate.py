"""Drop items that cannot be real, and count every field problem as a data-quality signal.

A review needs its source, entity and platform, and some content (text, title or rating); its
rating, when present, must parse (``crawlers.parsers.ratings``). A rating summary needs a valid
rating. A mention needs text or a title. An entry holding an unfilled template placeholder
(``<&=rating&>``, ``{{ review.body }}``) is not data and is dropped whole as
``unrendered_template``. Anything else missing or malformed is counted and kept, because a review without a date is
still a review.

Stats, all under one prefix so a monitor can watch them:
``starwatch/dropped/<reason>`` for each dropped item (e.g. ``rating_above_best``) and
``starwatch/field/<field>/{missing,invalid}`` for each field problem. The crawl goes on.
No settings are read.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem

from crawlers.items import RawMention, RawRatingSummary, RawReview
from crawlers.parsers.dates import parse_review_date
from crawlers.parsers.ratings import RatingError, parse_count, parse_rating
from crawlers.parsers.text import looks_unrendered, may_be_unrendered

REQUIRED_FIELDS = ("source_id", "entity_id", "platform")
TEMPLATE_FIELDS = ("rating_value", "rating_best", "title", "text", "date", "author_name", "rating_count", "review_count")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class ValidateReviewPipeline:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        if isinstance(item, (RawReview, RawRatingSummary, RawMention)):
            self._check_rendered(item)
        if isinstance(item, RawReview):
            self._check_review(item)
        elif isinstance(item, RawRatingSummary):
            self._check_summary(item)
        elif isinstance(item, RawMention):
            self._check_mention(item)
        return item

    def _field(self, name: str, problem: str) -> None:
        self.stats.inc_value(f"starwatch/field/{name}/{problem}")

    def _drop(self, reason: str, detail: str, item) -> None:
        self.stats.inc_value(f"starwatch/dropped/{reason}")
        raise DropItem(f"{reason}: {detail} (source {getattr(item, 'source_id', '?')}, {getattr(item, 'url', '')})")

    def _check_rendered(self, item) -> None:
        if not may_be_unrendered([getattr(item, name, None) for name in TEMPLATE_FIELDS]):
            return
        for name in TEMPLATE_FIELDS:
            value = getattr(item, name, None)
            if looks_unrendered(value):
                self._field(name.removesuffix("_value").removesuffix("_name"), "invalid")
                self._drop("unrendered_template", f"{name} is an unfilled template placeholder {value!r:.60}", item)

    def _check_mention(self, item: RawMention) -> None:
        self._check_required(item)
        if _blank(item.text) and _blank(item.title):
            self._drop("empty_mention", "no text or title", item)
        if _blank(item.matched_span):
            self._drop("mention_unmatched", "the entry does not name the entity", item)
        if _blank(item.date):
            self._field("published_at", "missing")

    def _check_required(self, item) -> None:
        for name in REQUIRED_FIELDS:
            if _blank(getattr(item, name)):
                self._field(name, "missing")
                self._drop(f"missing_{name}", f"{name} is required", item)

    def _check_rating(self, item, prefix: str = "") -> None:
        try:
            parse_rating(item.rating_value, item.rating_best, item.rating_worst)
        except RatingError as error:
            self._field("rating", "invalid")
            self._drop(f"{prefix}rating_{error.reason}", error.detail, item)

    def _check_review(self, item: RawReview) -> None:
        self._check_required(item)
        text_blank, date_blank, rating_blank = _blank(item.text), _blank(item.date), _blank(item.rating_value)
        if text_blank and rating_blank and _blank(item.title):
            self._drop("empty_review", "no text, title or rating", item)
        if rating_blank:
            self._field("rating", "missing")
        else:
            self._check_rating(item)
        for name, blank in (("text", text_blank), ("author", _blank(item.author_name)), ("published_at", date_blank)):
            if blank:
                self._field(name, "missing")
        if not date_blank and parse_review_date(item.date, [item.language_hint] if item.language_hint else None) is None:
            self._field("published_at", "invalid")

    def _check_summary(self, item: RawRatingSummary) -> None:
        self._check_required(item)
        if _blank(item.rating_value):
            self._field("rating", "missing")
            self._drop("summary_rating_missing", "an aggregate rating without ratingValue", item)
        self._check_rating(item, prefix="summary_")
        for name in ("rating_count", "review_count"):
            try:
                parse_count(getattr(item, name))
            except RatingError:
                self._field(name, "invalid")

"""Base spider for RSS and Atom feeds as mention sources (news, blogs, forum-search feeds).

Reads ``source.url`` (a feed), follows Atom ``rel="next"`` documents within ``source.max_pages``
and the incremental stop, and yields a ``RawMention`` for every entry whose title or text names
the source's entity: its ``name``, its ``aliases`` or the source's ``keywords``, as whole words,
ignoring case and accents. The matched text is kept as ``matched_span``. Entries that name
nobody are counted (``starwatch/feed/unmatched``), not collected: a local news feed mostly talks
about something else. Parsing and matching are ``crawlers.parsers.feeds``.
"""

from __future__ import annotations

import scrapy

from crawlers.items import RawMention
from crawlers.parsers.feeds import find_mention, parse_feed
from crawlers.platforms.base import ReviewSourceSpider, collected
from crawlers.tracking import listing_key


class FeedMentionSpider(ReviewSourceSpider):
    platform = "feed"

    async def start(self):
        yield self.page_request(self.source.url, 1)

    def page_request(self, url: str, page_number: int) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_page, errback=self.on_request_error,
                              cb_kwargs={"page_number": page_number}, dont_filter=page_number == 1)

    @property
    def terms(self) -> list[str]:
        return [self.entity.name, *self.entity.aliases, *self.source.keywords]

    @collected
    def parse_page(self, response, page_number: int):
        page = parse_feed(response.body, response.url)
        for error in page.errors:
            self.page_error(response, error)
        self.count_page(len(page.entries))
        mentions = [mention for entry in page.entries if (mention := self.mention_from(entry, page.language))]
        unmatched = len(page.entries) - len(mentions)
        if unmatched:
            self.crawler.stats.inc_value("starwatch/feed/unmatched", unmatched)
        yield from mentions
        keyed = [RawMention(self.source.id, self.entity.id, self.platform, listing_key=listing_key(
            entry["url"], None, f"{entry['title']} {entry['text']}")) for entry in page.entries]
        if self.keep_paging(page_number, keyed, page.next_url is not None):
            yield self.page_request(response.urljoin(page.next_url), page_number + 1)

    def mention_from(self, entry: dict, feed_language: str | None) -> RawMention | None:
        span = find_mention(entry["title"] or "", self.terms) or find_mention(entry["text"], self.terms)
        if span is None:
            return None
        return RawMention(
            source_id=self.source.id, entity_id=self.entity.id, platform=self.platform, url=entry["url"],
            title=entry["title"], text=entry["text"], date=entry["date"],
            language_hint=entry["language"] or feed_language or self.source.language, matched_span=span,
        )
